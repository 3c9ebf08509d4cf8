"""FHIR and vendor CSV against the simulator's truth: per appointment the final status (last
event by event time), the booking time (first S12) and the visit number; landing twice lands
nothing new and conserves every item."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingest.formats import fhir_appointment, vendor_csv
from ingest.pipeline import land_source, source_files
from ingest.records import AppointmentEvent, DeadLetter
from simulator import generate
from simulator.faults import FaultParams

LOCAL = ZoneInfo("America/New_York")  # the simulated network's wall clock
CHANNELS = {"fhir": ("fhir", fhir_appointment), "csv": ("vendor_csv", vendor_csv)}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sched_net")
    generate(out, facilities=3, days=30, seed=5, faults=FaultParams.none())
    return out


def _utc(local: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(local).replace(tzinfo=LOCAL)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _final_status(event: AppointmentEvent) -> str:
    if event.event_type in ("S15", "S17"):
        return "cancelled"
    if event.event_type == "S26":
        return "no_show"
    return "completed" if event.status in ("Complete", "Arrived") else "booked"


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_events_reproduce_truth(network: Path, channel: str) -> None:
    source, module = CHANNELS[channel]
    events: dict[str, dict[tuple[str | None, str], AppointmentEvent]] = defaultdict(dict)
    dead: list[DeadLetter] = []
    for path in source_files(network / source):
        filename = f"{source}/{path.relative_to(network / source).as_posix()}"
        for item in module.parse(path.read_bytes(), filename):
            if isinstance(item, DeadLetter):
                dead.append(item)
            else:
                events[item.appointment_id][(item.sending_facility, item.message_control_id)] = item
    assert dead == []
    with (network / "truth" / "appointments.csv").open(newline="") as handle:
        truth = {r["appointment_id"]: r for r in csv.DictReader(handle) if r["channel"] == channel}
    assert truth and set(events) == set(truth)
    for appointment_id, expected in truth.items():
        ordered = sorted(
            events[appointment_id].values(), key=lambda e: (e.event_time, e.message_control_id)
        )
        last = ordered[-1]
        booking = next(e for e in ordered if e.event_type == "S12")
        assert _final_status(last) == expected["final_status"], (appointment_id, ordered)
        assert booking.event_time == _utc(expected["booked_at"]), appointment_id
        assert {e.visit_number for e in ordered} == {expected["visit_number"]}
        assert last.start_time == _utc(expected["service_start"]), appointment_id
        assert last.facility_code == expected["facility_code"]
        assert last.location_code == expected["location_code"]
        assert last.provider_npi == expected["provider_npi"]
        assert last.service_code == expected["service_code"]
        assert last.duration_minutes == int(expected["duration_minutes"])
        if channel == "csv":
            assert (last.event_reason or "") == expected["cancel_reason_code"]
            rescheduled = any(e.event_type == "S13" for e in ordered)
            assert rescheduled == (expected["rescheduled"] == "true"), appointment_id


def test_landing_twice_lands_nothing_new_and_conserves(network: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    for source in ("fhir", "vendor_csv"):
        first = land_source(warehouse, source, network / source)
        assert first and all(b.conserved and not b.skipped for b in first)
        assert sum(b.landed for b in first) > 0 and sum(b.dead_lettered for b in first) == 0
        again = land_source(warehouse, source, network / source)
        assert len(again) == len(first) and all(b.skipped and b.landed == 0 for b in again)
    with duckdb.connect(str(warehouse)) as con:
        per_source = dict(
            con.execute(
                """select split_part(source_file, '/', 1), count(*)
                from raw.appointment_event group by 1"""
            ).fetchall()
        )
        batches = con.execute(
            """select sum(received), sum(landed + duplicates + dead_lettered)
            from raw.landing_batches"""
        ).fetchone()
    assert set(per_source) == {"fhir", "vendor_csv"}
    assert batches is not None and batches[0] == batches[1]
