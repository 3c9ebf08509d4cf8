"""Provider schedule templates (the template / slot extract of every facility's scheduling
system, all channels): `<facility>/<YYYY-MM>.csv`, one row per template session (a provider's
block of bookable time in one room on one day). Available minutes are schedule occupancy's
denominator (DESIGN §4)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from simulator.model import Simulation, TemplateSession
from simulator.network import Network

COLUMNS = ("provider_npi", "facility_code", "location_code", "department", "room", "date",
           "start", "end", "available_minutes")


def template_row(session: TemplateSession) -> tuple[str, ...]:
    return (session.provider_npi, session.facility_code,
            f"{session.facility_code}-{session.room}", session.department, session.room,
            session.start.date().isoformat(), f"{session.start:%H:%M}", f"{session.end:%H:%M}",
            str(session.minutes))


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    months: dict[tuple[str, str], list[TemplateSession]] = defaultdict(list)
    for session in simulation.templates:
        months[(session.facility_code, f"{session.start:%Y-%m}")].append(session)
    files = {}
    for (facility_code, month), sessions in sorted(months.items()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(template_row(s) for s in sorted(
            sessions, key=lambda s: (s.start.date(), s.provider_npi, s.start)))
        files[f"{facility_code}/{month}.csv"] = buffer.getvalue()
    return files
