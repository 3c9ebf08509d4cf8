"""FHIR and vendor CSV against the simulator's truth: per appointment the final status (last
event by event time), the booking time (first S12) and the visit number; FHIR Slots tile the
template sessions; landing twice lands nothing new and conserves every item."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingest.formats import fhir_appointment, schedule_templates, vendor_csv
from ingest.pipeline import land_source, source_files
from ingest.records import (
    AppointmentEvent,
    DeadLetter,
    ProviderSchedule,
    ScheduleSlot,
    ScheduleTemplate,
)
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
            elif isinstance(item, AppointmentEvent):
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


def test_fhir_slots_tile_the_templates_and_busy_slots_are_the_kept_appointments(
    network: Path,
) -> None:
    """Per facility, day and provider the Slot minutes equal the template sessions' available
    minutes (schedule_templates/, read by its own reader); per facility and day one busy slot
    per appointment kept (truth: not cancelled)."""
    slot_minutes: dict[tuple[str, str, str], int] = defaultdict(int)
    busy: dict[tuple[str, str], int] = defaultdict(int)
    providers: dict[tuple[str | None, str], str | None] = {}
    slots: list[tuple[str, ScheduleSlot]] = []
    for path in source_files(network / "fhir"):
        filename = f"fhir/{path.relative_to(network / 'fhir').as_posix()}"
        for item in fhir_appointment.parse(path.read_bytes(), filename):
            assert not isinstance(item, DeadLetter), item
            if isinstance(item, ProviderSchedule):
                providers[(item.facility_code, item.schedule_id)] = item.provider_npi
            elif isinstance(item, ScheduleSlot):
                slots.append((path.parent.name, item))  # the folder is the service day
    assert slots
    for day, item in slots:
        assert item.facility_code is not None
        npi = providers[(item.facility_code, item.schedule_id)]
        assert npi is not None
        slot_minutes[(item.facility_code, day, npi)] += item.duration_minutes
        busy[(item.facility_code, day)] += item.status == "busy"
    template_minutes: dict[tuple[str, str, str], int] = defaultdict(int)
    facilities = {facility for facility, _, _ in slot_minutes}
    for path in source_files(network / "schedule_templates"):
        for row in schedule_templates.parse(path.read_bytes(), path.name):
            if isinstance(row, ScheduleTemplate) and row.facility_code in facilities:
                key = (row.facility_code, row.date.isoformat(), row.provider_npi)
                template_minutes[key] += row.available_minutes
    assert dict(slot_minutes) == dict(template_minutes)
    kept: dict[tuple[str, str], int] = defaultdict(int)
    with (network / "truth" / "appointments.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["channel"] == "fhir" and row["final_status"] != "cancelled":
                kept[(row["facility_code"], row["service_start"][:10])] += 1
    assert {k: v for k, v in busy.items() if v} == dict(kept)


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
        slot_rows = con.execute(
            "select count(*), count(distinct schedule_id) from raw.schedule_slot"
        ).fetchone()
        schedule_rows = con.execute("select count(*) from raw.provider_schedule").fetchone()
    assert set(per_source) == {"fhir", "vendor_csv"}
    assert slot_rows is not None and slot_rows[0] > slot_rows[1] > 0
    assert schedule_rows is not None and schedule_rows[0] > 0
    assert batches is not None and batches[0] == batches[1]
