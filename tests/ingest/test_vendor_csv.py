"""Vendor CSV reader: the LKU mapping, bad rows as dead letters, and a second clinic layout
added as configuration only (a YAML file in a test mapping folder, no code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.formats import detect_source, vendor_csv
from ingest.records import AppointmentEvent, DeadLetter

HEADER = (
    "Appt ID,Account No,Site,Provider NPI,Provider,MRN,Patient Name,DOB,Appt Date,Appt Time,"
    "Length,Visit Type,CPT,Dept,Room,Status,Cancel Reason,Booked,Last Modified"
)


def row(status: str, modified: str, reason: str = "", appt: str = "ALKU000136") -> str:
    return (
        f'{appt},VLKU000136,LKU-01,1003800012,"BRAMBLEWOOD, CALDER",LKU0000625,'
        f'"SOLSOLKOR, LUNRIS",08/02/1994,01/09/2026,8:30 AM,20,FOLLOW UP,99213,URGENT,RM02,'
        f"{status},{reason},01/09/2026 07:12:30,{modified}"
    )


def parse(*rows: str, filename: str = "vendor_csv/LKU/APPTS_01092026.csv") -> list[object]:
    return list(vendor_csv.parse("\r\n".join([HEADER, *rows]).encode(), filename))


def test_lku_rows_map_to_canonical_events() -> None:
    items = parse(
        row("SCHEDULED", "09-JAN-2026 07:12:30"),
        row("RESCHEDULED", "10-JAN-2026 09:00:00"),
        row("CHECKED IN", "12-JAN-2026 08:20:00"),
        row("CHECKED OUT", "12-JAN-2026 08:55:00"),
        row("CANCELLED", "13-JAN-2026 08:00:00", "PT REQUEST"),
        row("NO SHOW", "14-JAN-2026 09:00:00"),
    )
    assert all(isinstance(i, AppointmentEvent) for i in items)
    events = [i for i in items if isinstance(i, AppointmentEvent)]
    assert [(e.event_type, e.status) for e in events] == [
        ("S12", "Booked"),
        ("S13", "Booked"),
        ("S14", "Arrived"),
        ("S14", "Complete"),
        ("S15", "Cancelled"),
        ("S26", "Noshow"),
    ]
    booked = events[0]
    # America/New_York (EST, -05:00) -> naive UTC
    assert booked.event_time == dt.datetime(2026, 1, 9, 12, 12, 30)
    assert booked.start_time == dt.datetime(2026, 1, 9, 13, 30)
    assert booked.duration_minutes == 20
    assert (booked.sending_facility, booked.facility_code, booked.location_code) == (
        "LKU",
        "LKU",
        "LKU-RM02",
    )
    assert (booked.visit_number, booked.provider_npi, booked.service_code, booked.patient_id) == (
        "VLKU000136",
        "1003800012",
        "99213",
        "LKU0000625",
    )
    assert booked.message_control_id == "ALKU000136@2026-01-09T12:12:30/S12/Booked"
    assert events[4].event_reason == "PATREQ" and events[3].event_reason is None
    assert len({e.message_control_id for e in events}) == 6


def test_bad_rows_dead_letter_with_a_replayable_payload() -> None:
    items = parse(
        row("PENDING APPROVAL", "09-JAN-2026 07:12:30"),
        row("SCHEDULED", "2026-01-09 07:12:30"),
        row("SCHEDULED", "09-JAN-2026 07:12:30", appt=""),
        row("SCHEDULED", "09-JAN-2026 07:12:30").replace(",20,", ",twenty,"),
        "ALKU1,too,few",
        row("SCHEDULED", "09-JAN-2026 07:12:30"),
    )
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [(d.error_class, d.offset) for d in dead] == [
        ("InvalidValue", 0),
        ("InvalidValue", 1),
        ("MissingElement", 2),
        ("InvalidValue", 3),
        ("InvalidValue", 4),
    ]
    assert "'PENDING APPROVAL' is not in the status_map" in dead[0].reason
    assert "'Last Modified'" in dead[1].reason and "%d-%b-%Y" in dead[1].reason
    assert "'Appt ID'" in dead[2].reason and "'twenty'" in dead[3].reason
    assert isinstance(items[-1], AppointmentEvent)
    # payload = header + row: re-driven alone it parses the same way
    again = list(vendor_csv.parse(dead[0].payload.encode(), "vendor_csv/LKU/APPTS_01092026.csv"))
    assert [type(i) for i in again] == [DeadLetter] and again[0].error_class == "InvalidValue"


def test_unknown_clinic_and_changed_layout_are_file_dead_letters(tmp_path: Path) -> None:
    data = "\r\n".join([HEADER, row("SCHEDULED", "09-JAN-2026 07:12:30")]).encode()
    [dead] = vendor_csv.parse(data, "vendor_csv/ZZZ/APPTS_01092026.csv", mapping_dir=tmp_path)
    assert isinstance(dead, DeadLetter) and dead.error_class == "ConfigurationError"
    assert "ZZZ.yaml" in dead.reason and dead.payload == data.decode()
    layout_changed = data.decode().replace("Last Modified", "Modified At").encode()
    [dead] = vendor_csv.parse(layout_changed, "vendor_csv/LKU/APPTS_01092026.csv")
    assert isinstance(dead, DeadLetter) and "'Last Modified'" in dead.reason


SECOND_LAYOUT = """\
vendor_csv:
  clinic: BRK
  facility_code: BRK
  delimiter: ";"
  columns:
    appointment_id: "ApptNo"
    visit_number: "Encounter"
    provider_npi: "NPI"
    patient_id: "PatientId"
    start: {column: "StartsAt", format: "%Y-%m-%dT%H:%M"}
    duration_minutes: "Minutes"
    service_code: "Proc"
    location_code: {column: "Where", map: {"Main room": "BRK-MAIN"}}
    status: "State"
    cancel_reason: "Why"
    event_time: {column: "ChangedAt", format: "%Y%m%d%H%M%S"}
  status_map:
    new: booked
    moved: rescheduled
    done: {event: S14, status: Complete}
    gone: {event: S15, status: Cancelled}
    dna: no_show
"""


def test_a_second_clinic_is_configuration_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brk.yaml").write_text(SECOND_LAYOUT)
    data = (
        b"ApptNo;Encounter;NPI;PatientId;StartsAt;Minutes;Proc;Where;State;Why;ChangedAt\n"
        b"B-1;ENC-1;1999999999;P-1;2026-02-02T09:30;45;99204;Main room;new;;20260130101500\n"
        b"B-1;ENC-1;1999999999;P-1;2026-02-02T09:30;45;99204;Main room;gone;ill;20260201080000\n"
        b"B-2;ENC-2;1999999999;P-2;2026-02-02T10:30;15;99212;Main room;lost;;20260201080000\n"
    )
    monkeypatch.setenv("HCOPS_VENDOR_CSV_MAPPINGS", str(tmp_path))
    items = list(vendor_csv.parse(data, "vendor_csv/BRK/export-2026-02-01.csv"))
    booked, cancelled, dead = items
    assert isinstance(booked, AppointmentEvent) and isinstance(cancelled, AppointmentEvent)
    assert (booked.event_type, booked.sending_facility, booked.facility_code) == (
        "S12",
        "BRK",
        "BRK",
    )
    assert booked.event_time == dt.datetime(2026, 1, 30, 10, 15)  # no timezone: as written
    assert booked.start_time == dt.datetime(2026, 2, 2, 9, 30) and booked.duration_minutes == 45
    assert (booked.location_code, booked.visit_number, booked.patient_id) == (
        "BRK-MAIN",
        "ENC-1",
        "P-1",
    )
    assert (cancelled.event_type, cancelled.status, cancelled.event_reason) == (
        "S15",
        "Cancelled",
        "ill",
    )
    assert isinstance(dead, DeadLetter) and "'LOST'" in dead.reason
    # the LKU mapping is not in that folder; the default folder still has it
    monkeypatch.delenv("HCOPS_VENDOR_CSV_MAPPINGS")
    [nothing] = vendor_csv.parse(data, "vendor_csv/BRK/export-2026-02-01.csv")
    assert isinstance(nothing, DeadLetter) and nothing.error_class == "ConfigurationError"
    assert list(vendor_csv.parse(data, "BRK/x.csv", mapping_dir=tmp_path))[0] == booked


def test_bad_mapping_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("vendor_csv:\n  columns: {status: S}\n  status_map: {}\n")
    [dead] = vendor_csv.parse(b"S\nx\n", "vendor_csv/bad/a.csv", mapping_dir=tmp_path)
    assert isinstance(dead, DeadLetter) and dead.error_class == "ConfigurationError"
    assert "appointment_id" in dead.reason


def test_detection() -> None:
    data = "\r\n".join([HEADER, row("SCHEDULED", "09-JAN-2026 07:12:30")]).encode()
    assert detect_source(data, "vendor_csv/LKU/APPTS_01092026.csv") == "vendor_csv"
    assert detect_source(data, "APPTS_01092026.csv") == "vendor_csv"  # header fits LKU
    assert detect_source(b"a,b\n1,2\n", "2026-01-05/payers.csv") == "erp_master"
