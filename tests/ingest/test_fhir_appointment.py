"""FHIR R4 Appointment reader: hand-written versions map to the SIU event vocabulary; the R4
corpus examples parse or dead-letter with a specific reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.formats import detect_source, fhir_appointment
from ingest.records import AppointmentEvent, DeadLetter, ProviderSchedule, ScheduleSlot

FILE = "fhir/RVC/2026-01-09/Appointment.ndjson"


def appointment(version: str, status: str, updated: str, **extra: object) -> dict[str, object]:
    resource: dict[str, object] = {
        "resourceType": "Appointment",
        "id": "A1",
        "meta": {"versionId": version, "lastUpdated": updated},
        "identifier": [
            {"system": "urn:hcops:visit", "value": "V1"},
            {"system": "urn:hcops:appointment", "value": "A1"},
        ],
        "status": status,
        "serviceType": [
            {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]}
        ],
        "start": "2026-01-15T16:15:00-05:00",
        "end": "2026-01-15T16:35:00-05:00",
        "minutesDuration": 20,
        "created": "2026-01-09T08:20:46-05:00",
        "participant": [
            {"actor": {"reference": "Patient/MRN7"}},
            {
                "actor": {
                    "reference": "Practitioner/1002800013",
                    "identifier": {
                        "system": "http://hl7.org/fhir/sid/us-npi",
                        "value": "1002800013",
                    },
                }
            },
            {"actor": {"reference": "Location/RVC-RM02"}},
        ],
    }
    resource.update(extra)
    return resource


def parse_lines(*resources: object, filename: str = FILE) -> list[object]:
    data = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in resources)
    return list(fhir_appointment.parse(data.encode(), filename))


def test_booking_is_s12_at_created_in_utc() -> None:
    [event] = parse_lines(appointment("1", "booked", "2026-01-09T08:20:46-05:00"))
    assert isinstance(event, AppointmentEvent)
    assert (event.event_type, event.status) == ("S12", "Booked")
    assert event.event_time == dt.datetime(2026, 1, 9, 13, 20, 46)
    assert event.message_control_id == "A1/_history/1"
    assert event.sending_facility == event.facility_code == "RVC"
    assert event.start_time == dt.datetime(2026, 1, 15, 21, 15)
    assert event.duration_minutes == 20
    assert (event.visit_number, event.patient_id) == ("V1", "MRN7")
    assert (event.provider_npi, event.location_code, event.service_code) == (
        "1002800013",
        "RVC-RM02",
        "99213",
    )


def test_reschedule_cancel_noshow_fulfilled_arrived_deleted() -> None:
    cancel = appointment(
        "3",
        "cancelled",
        "2026-01-12T10:00:00-05:00",
        cancelationReason={"coding": [{"code": "pat"}], "text": "Patient"},
    )
    items = parse_lines(
        appointment("2", "booked", "2026-01-10T09:00:00-05:00"),
        cancel,
        appointment("2", "noshow", "2026-01-15T17:00:00-05:00"),
        appointment("4", "fulfilled", "2026-01-15T17:00:00-05:00"),
        appointment("2", "arrived", "2026-01-15T16:10:00-05:00"),
        appointment("5", "entered-in-error", "2026-01-16T08:00:00-05:00"),
    )
    own = [e for e in items if isinstance(e, AppointmentEvent) and e.event_type != "S12"]
    assert [(e.event_type, e.status) for e in own] == [
        ("S13", "Booked"),
        ("S15", "Cancelled"),
        ("S26", "Noshow"),
        ("S14", "Complete"),
        ("S14", "Arrived"),
        ("S17", "Deleted"),
    ]
    assert own[1].event_reason == "pat" and own[0].event_reason is None
    assert own[1].event_time == dt.datetime(2026, 1, 12, 15, 0)
    assert own[1].message_control_id == "A1/_history/3"
    # every later version re-states the booking under the booking's key: it lands once
    bookings = [e for e in items if isinstance(e, AppointmentEvent) and e.event_type == "S12"]
    assert len(bookings) == 6
    assert {(b.message_control_id, b.event_time) for b in bookings} == {
        ("A1/_history/1", dt.datetime(2026, 1, 9, 13, 20, 46))
    }


def test_version_without_created_has_no_implied_booking() -> None:
    resource = appointment("3", "fulfilled", "2026-01-15T17:00:00-05:00")
    del resource["created"]
    [event] = parse_lines(resource)
    assert isinstance(event, AppointmentEvent) and event.event_type == "S14"


def test_bad_lines_dead_letter_and_the_others_go_on() -> None:
    no_status = appointment("1", "booked", "2026-01-09T08:20:46-05:00")
    del no_status["status"]
    no_id = appointment("1", "booked", "2026-01-09T08:20:46-05:00")
    del no_id["id"]
    items = parse_lines(
        "{not json",
        json.dumps({"resourceType": "Patient", "id": "p1"}),
        json.dumps(no_status),
        json.dumps(no_id),
        appointment("1", "weird", "2026-01-09T08:20:46-05:00"),
        appointment("1", "booked", "2026-13-09T08:20:46-05:00", created=None),
        "[1, 2]",
        appointment("1", "booked", "2026-01-09T08:20:46-05:00"),
    )
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [(d.error_class, d.offset) for d in dead] == [
        ("InvalidJson", 0),
        ("UnsupportedResource", 1),
        ("MissingElement", 2),
        ("MissingElement", 3),
        ("InvalidValue", 4),
        ("InvalidValue", 5),
        ("InvalidJson", 6),
    ]
    assert "not JSON" in dead[0].reason and "'Patient'" in dead[1].reason
    assert "no status" in dead[2].reason and "no id" in dead[3].reason
    assert "'weird'" in dead[4].reason and "meta.lastUpdated" in dead[5].reason
    assert all(d.source == "fhir" and d.payload for d in dead)
    assert isinstance(items[-1], AppointmentEvent)
    # a dead letter's payload re-parses alone (replay)
    redriven = list(fhir_appointment.parse(dead[4].payload.encode(), FILE))
    assert isinstance(redriven[0], DeadLetter) and redriven[0].error_class == "InvalidValue"
    assert redriven[0].reason.endswith("status 'weird' is not an R4 AppointmentStatus")


def slot(slot_id: str, status: str, start: str, end: str, **extra: object) -> dict[str, object]:
    resource: dict[str, object] = {
        "resourceType": "Slot",
        "id": slot_id,
        "meta": {"lastUpdated": "2026-01-09T23:30:00-05:00"},
        "schedule": {"reference": "Schedule/RVC-1002800013"},
        "status": status,
        "start": start,
        "end": end,
    }
    resource.update(extra)
    return resource


SCHEDULE = {
    "resourceType": "Schedule",
    "id": "RVC-1002800013",
    "meta": {"versionId": "2", "lastUpdated": "2026-01-09T23:30:00-05:00"},
    "active": True,
    "actor": [
        {
            "reference": "Practitioner/P17",
            "identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1002800013"},
        },
        {"reference": "Location/RVC-RM02"},
    ],
    "planningHorizon": {"start": "2026-01-09T00:00:00-05:00", "end": "2026-01-10T00:00:00-05:00"},
}


def test_slot_and_schedule_lines_become_records() -> None:
    busy = slot(
        "A1-202601150815",
        "busy",
        "2026-01-15T08:15:00-05:00",
        "2026-01-15T08:35:00-05:00",
        overbooked=True,
        serviceType=[{"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]}],
    )
    free = slot("F1", "free", "2026-01-15T08:35:00-05:00", "2026-01-15T12:00:00-05:00")
    items = parse_lines(busy, free, SCHEDULE, filename="fhir/RVC/2026-01-09/Slot.ndjson")
    first, second, schedule = items
    assert first == ScheduleSlot(
        slot_id="A1-202601150815",
        schedule_id="RVC-1002800013",
        status="busy",
        start_time=dt.datetime(2026, 1, 15, 13, 15),
        end_time=dt.datetime(2026, 1, 15, 13, 35),
        duration_minutes=20,
        overbooked=True,
        service_code="99213",
        facility_code="RVC",
        version_id=None,
        last_updated=dt.datetime(2026, 1, 10, 4, 30),
    )
    assert isinstance(second, ScheduleSlot)
    assert (second.status, second.duration_minutes, second.overbooked) == ("free", 205, None)
    assert schedule == ProviderSchedule(
        schedule_id="RVC-1002800013",
        active=True,
        provider_npi="1002800013",
        location_code="RVC-RM02",
        horizon_start=dt.datetime(2026, 1, 9, 5, 0),
        horizon_end=dt.datetime(2026, 1, 10, 5, 0),
        facility_code="RVC",
        version_id="2",
        last_updated=dt.datetime(2026, 1, 10, 4, 30),
    )


def test_bad_slots_and_schedules_dead_letter_and_the_others_go_on() -> None:
    start, end = "2026-01-15T08:15:00-05:00", "2026-01-15T08:35:00-05:00"
    no_schedule = slot("S2", "free", start, end)
    del no_schedule["schedule"]
    no_id = dict(SCHEDULE)
    del no_id["id"]
    items = parse_lines(
        slot("S1", "booked", start, end),
        no_schedule,
        slot("S3", "free", end, start),
        slot("S4", "free", start, None),
        no_id,
        slot("S5", "busy-tentative", start, end),
    )
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [(d.error_class, d.offset) for d in dead] == [
        ("InvalidValue", 0),
        ("MissingElement", 1),
        ("InvalidValue", 2),
        ("MissingElement", 3),
        ("MissingElement", 4),
    ]
    assert "'booked' is not an R4 SlotStatus" in dead[0].reason
    assert "no schedule reference" in dead[1].reason and "before it starts" in dead[2].reason
    assert "Slot 'S4'" in dead[3].reason and "Schedule has no id" in dead[4].reason
    assert isinstance(items[-1], ScheduleSlot) and items[-1].status == "busy-tentative"


def test_bundle_reads_slots_and_schedules_too() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": SCHEDULE},
            {"resource": {"resourceType": "OperationOutcome"}, "search": {"mode": "outcome"}},
            {"resource": slot("S1", "free", "2026-01-15T08:15:00Z", "2026-01-15T09:15:00Z")},
        ],
    }
    items = list(fhir_appointment.parse(json.dumps(bundle).encode(), "fhir/RVC/poll/p.json"))
    assert [type(i).__name__ for i in items] == ["ProviderSchedule", "ScheduleSlot"]
    assert {i.facility_code for i in items} == {"RVC"}


def test_bundle_reads_its_appointments() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "MRN7"}},
            {"resource": appointment("1", "booked", "2026-01-09T08:20:46-05:00")},
        ],
    }
    pretty = json.dumps(bundle, indent=2).encode()
    [event] = fhir_appointment.parse(pretty, "bundle.json")
    assert isinstance(event, AppointmentEvent) and event.sending_facility is None
    assert detect_source(pretty, "bundle.json") == "fhir"
    line = json.dumps(appointment("1", "booked", "2026-01-09T08:20:46-05:00")).encode()
    assert detect_source(line + b"\n" + line, "Appointment.ndjson") == "fhir"


def test_visit_system_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    resource = appointment("1", "booked", "2026-01-09T08:20:46-05:00")
    resource["identifier"] = [{"system": "urn:other:account", "value": "ACC9"}]
    [event] = parse_lines(resource)
    assert isinstance(event, AppointmentEvent) and event.visit_number is None
    monkeypatch.setenv("HCOPS_FHIR_VISIT_SYSTEMS", "urn:other:account")
    [event] = parse_lines(resource)
    assert isinstance(event, AppointmentEvent) and event.visit_number == "ACC9"


@pytest.mark.corpus
def test_corpus_scheduling_files_parse_or_dead_letter_specifically(corpus_dir: Path) -> None:
    expected = {
        "fhirr4__appointment-example.json": ("S12", dt.datetime(2013, 10, 10)),
        "fhirr4__appointment-example-request.json": ("S12", dt.datetime(2015, 12, 2)),
        "msfc__SIU-S12-01-expected.json": ("S12", None),
        "msfc__SIU-S15-01-expected.json": ("S15", None),
        "msfc__SIU-S26-01-expected.json": ("S26", None),
    }
    for path in sorted((corpus_dir / "fhir").glob("*.json")):
        items = list(fhir_appointment.parse(path.read_bytes(), path.name))
        kind = json.loads(path.read_bytes()).get("resourceType")
        if kind in ("Slot", "Schedule"):
            [record] = items
            assert isinstance(record, ScheduleSlot if kind == "Slot" else ProviderSchedule)
            continue
        assert items, path.name
        if path.name in expected:
            event_type, when = expected[path.name]
            [event] = items
            assert isinstance(event, AppointmentEvent) and event.event_type == event_type
            assert when is None or event.event_time == when
            continue
        for item in items:
            assert isinstance(item, DeadLetter), (path.name, item)
            assert item.error_class in {"UnsupportedResource", "MissingElement"}, item
            assert len(item.reason) > 25 and item.payload
    [dead] = fhir_appointment.parse(
        (corpus_dir / "fhir" / "fhirr4__appointment-example2doctors.json").read_bytes(), "x"
    )
    assert isinstance(dead, DeadLetter) and "neither created nor meta.lastUpdated" in dead.reason


@pytest.mark.corpus
def test_corpus_examples_agree_with_fhir_resources_r4b(corpus_dir: Path) -> None:
    """An independent reading (fhir.resources R4B models, decision 0008): same status,
    start and id."""
    r4b = pytest.importorskip("fhir.resources.R4B.appointment")
    for name in ("fhirr4__appointment-example.json", "fhirr4__appointment-example-request.json"):
        data = (corpus_dir / "fhir" / name).read_bytes()
        model = r4b.Appointment.model_validate_json(data)
        [event] = fhir_appointment.parse(data, name)
        assert isinstance(event, AppointmentEvent)
        assert event.appointment_id == model.id and model.status in ("booked", "proposed")
        start = model.start.astimezone(dt.UTC).replace(tzinfo=None) if model.start else None
        assert event.start_time == start


@pytest.mark.corpus
def test_corpus_slots_and_schedules_agree_with_fhir_resources_r4b(corpus_dir: Path) -> None:
    """The R4 Slot / Schedule examples, read independently by the R4B models: same id,
    status, start / end (UTC), schedule reference, actors and horizon."""
    r4b_slot = pytest.importorskip("fhir.resources.R4B.slot")
    r4b_schedule = pytest.importorskip("fhir.resources.R4B.schedule")

    def utc(value: dt.datetime | None) -> dt.datetime | None:
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value else None

    slots = sorted((corpus_dir / "fhir").glob("fhirr4__slot-*.json"))
    schedules = sorted((corpus_dir / "fhir").glob("fhirr4__schedule-*.json"))
    assert len(slots) == 4 and len(schedules) == 3
    for path in slots:
        model = r4b_slot.Slot.model_validate_json(path.read_bytes())
        [record] = fhir_appointment.parse(path.read_bytes(), path.name)
        assert isinstance(record, ScheduleSlot)
        assert (record.slot_id, record.status) == (model.id, model.status)
        assert (record.start_time, record.end_time) == (utc(model.start), utc(model.end))
        assert f"Schedule/{record.schedule_id}" == model.schedule.reference
        assert record.overbooked == model.overbooked
    for path in schedules:
        model = r4b_schedule.Schedule.model_validate_json(path.read_bytes())
        [record] = fhir_appointment.parse(path.read_bytes(), path.name)
        assert isinstance(record, ProviderSchedule)
        assert (record.schedule_id, record.active) == (model.id, model.active)
        locations = [a.reference for a in model.actor if a.reference.startswith("Location/")]
        assert [f"Location/{record.location_code}"] == locations
        horizon = model.planningHorizon
        assert (record.horizon_start, record.horizon_end) == (utc(horizon.start), utc(horizon.end))
        assert record.provider_npi is None  # "Practitioner/1": neither an NPI nor 10 digits
