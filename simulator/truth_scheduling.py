"""Scheduling truth (DESIGN §4), from the simulation itself, never re-read from the files:
the extra columns of truth/appointments.csv, the expected master-data exceptions, provider
credentialing, and the scheduling KPIs registered into truth/kpis.json.

Definitions (numerators and denominators are kept next to every rate):
- an appointment belongs to the month (and facility) of its final scheduled start
  (`service_start`); its outcome is `final_status` (completed = SIU S14 Complete, FHIR
  fulfilled or arrived, CSV CHECKED IN / CHECKED OUT as last event);
- no-show rate = no-shows / (completed + no-shows);
- cancellation rate = cancellations / appointments booked (every appointment);
- schedule occupancy = booked minutes (duration_minutes) of completed + no-show appointments /
  available template minutes (schedule_templates, dated by the template's date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simulator.model import Appointment, Simulation, TemplateSession
from simulator.network import Network

Row = Mapping[str, str]

APPOINTMENT_EXTRA_COLUMNS = ("channel", "duration_minutes", "provider_npi", "service_code",
                             "location_code", "rescheduled", "cancel_reason_code",
                             "final_source_status", "events")
TEMPLATE_COLUMNS = ("provider_npi", "facility_code", "date", "available_minutes")
EXCEPTION_COLUMNS = ("exception_kind", "entity", "key", "facility_code", "effective_date",
                     "detail")
CREDENTIALING_COLUMNS = ("provider_npi", "facility_code", "payer_id", "credentialed_from")


def source_status(appointment: Appointment) -> str:
    """The final status as the appointment's own channel spells it."""
    from simulator.writers import fhir, vendor_csv  # the writers own the vocabularies

    event = appointment.events[-1]
    if appointment.channel == "fhir":
        return fhir.fhir_status(event)
    if appointment.channel == "csv":
        return vendor_csv.vendor_status(event)
    return event.status


def appointment_fields(appointment: Appointment) -> dict[str, str]:
    last = appointment.events[-1]
    cancel = last.reason[0] if last.trigger == "S15" and last.reason else ""
    return {
        "channel": appointment.channel,
        "duration_minutes": str(appointment.slot.minutes),
        "provider_npi": appointment.provider_npi,
        "service_code": appointment.service_code,
        "location_code": f"{appointment.facility_code}-{appointment.slot.room}",
        "rescheduled": "true" if any(e.trigger == "S13" for e in appointment.events) else "false",
        "cancel_reason_code": cancel,
        "final_source_status": source_status(appointment),
        "events": str(len(appointment.events)),
    }


def template_rows(templates: Iterable[TemplateSession]) -> list[dict[str, str]]:
    return [{"provider_npi": t.provider_npi, "facility_code": t.facility_code,
             "date": t.start.date().isoformat(), "available_minutes": str(t.minutes)}
            for t in templates]


def exception_rows(network: Network, simulation: Simulation) -> list[dict[str, str]]:
    """The master-data changes of the window that the pipeline must surface."""
    rows = []
    timeline = network.timeline
    for retired in timeline.retired_cost_centers:
        rows.append({"exception_kind": "cost_center_retired", "entity": "cost_centers",
                     "key": retired.cost_center_code, "facility_code": retired.facility_code,
                     "effective_date": retired.retired_on.isoformat(),
                     "detail": f"absent from extracts from {retired.retired_on}; ancillary "
                               f"departments moved to {retired.replacement_code}"})
    for provider in network.providers:
        if provider.master_from is None:
            continue
        early = sum(a.provider_npi == provider.npi and a.booked_at.date() < provider.master_from
                    for a in simulation.appointments)
        rows.append({"exception_kind": "provider_added_late", "entity": "providers",
                     "key": provider.npi, "facility_code": provider.facility_code,
                     "effective_date": provider.master_from.isoformat(),
                     "detail": f"sees patients from {provider.start_date}; in the provider "
                               f"master from {provider.master_from}; {early} appointments "
                               "booked before it is listed"})
    for change in timeline.contract_changes:
        rows.append({"exception_kind": "contract_rate_change", "entity": "payer_contracts",
                     "key": f"{change.payer_id}|{change.service_code}",
                     "facility_code": "",
                     "effective_date": change.effective_from.isoformat(),
                     "detail": f"new expected reimbursement {change.expected_reimbursement} "
                               f"from {change.effective_from}"})
    for location in timeline.unmapped_locations:
        used = [a for a in simulation.appointments
                if a.facility_code == location.facility_code
                and any(e.slot.room == location.room for e in a.events)]
        if not used:
            continue
        rows.append({"exception_kind": "unmapped_location", "entity": "locations",
                     "key": location.location_code, "facility_code": location.facility_code,
                     "effective_date": location.from_date.isoformat(),
                     "detail": f"room {location.room} used by {len(used)} appointments "
                               f"({used[0].channel} feed) from {location.from_date}; never in "
                               "locations.csv"})
    return rows


def credentialing_rows(network: Network) -> list[dict[str, str]]:
    return [{"provider_npi": p.npi, "facility_code": p.facility_code,
             "payer_id": c.payer_id,
             "credentialed_from": c.effective_from.isoformat() if c.effective_from else ""}
            for p in network.providers for c in p.credentials]


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def kpi_values(appointments: Iterable[Row], templates: Iterable[Row]) -> dict[str, Any]:
    appointments = list(appointments)
    statuses = [a["final_status"] for a in appointments]
    completed, no_shows = statuses.count("completed"), statuses.count("no_show")
    cancelled = statuses.count("cancelled")
    booked_minutes = sum(int(a["duration_minutes"]) for a in appointments
                         if a["final_status"] in ("completed", "no_show"))
    available = sum(int(t["available_minutes"]) for t in templates)
    return {
        "appointments": len(appointments),
        "no_show_rate": _rate(no_shows, completed + no_shows),
        "no_show_rate_numerator": no_shows,
        "no_show_rate_denominator": completed + no_shows,
        "cancellation_rate": _rate(cancelled, len(appointments)),
        "cancellation_rate_numerator": cancelled,
        "cancellation_rate_denominator": len(appointments),
        "schedule_occupancy": _rate(booked_minutes, available),
        "schedule_occupancy_numerator": booked_minutes,
        "schedule_occupancy_denominator": available,
    }


def compute_scheduling_kpis(appointments: Iterable[Row],
                            templates: Iterable[Row]) -> dict[str, Any]:
    """Overall values at the top level, the same under `by_facility` and `by_month` (YYYY-MM
    of service_start / template date)."""
    appointments, templates = list(appointments), list(templates)
    facilities = sorted({a["facility_code"] for a in appointments}
                        | {t["facility_code"] for t in templates})
    months = sorted({a["service_start"][:7] for a in appointments}
                    | {t["date"][:7] for t in templates})
    return {
        **kpi_values(appointments, templates),
        "by_facility": {code: kpi_values((a for a in appointments if a["facility_code"] == code),
                                         (t for t in templates if t["facility_code"] == code))
                        for code in facilities},
        "by_month": {month: kpi_values((a for a in appointments
                                        if a["service_start"][:7] == month),
                                       (t for t in templates if t["date"][:7] == month))
                     for month in months},
    }

