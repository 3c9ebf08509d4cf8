"""Provider schedule template reader: typed sessions, bad rows as dead letters."""

from __future__ import annotations

import datetime as dt

from ingest.formats import detect_source, schedule_templates
from ingest.landing import record_key
from ingest.records import DeadLetter, ScheduleTemplate

HEADER = (
    b"provider_npi,facility_code,location_code,department,room,date,start,end,available_minutes\n"
)
FILE = "schedule_templates/LKU/2026-01.csv"


def test_sessions_typed() -> None:
    data = HEADER + (
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-05,08:00,13:00,300\n"
        b"1003800004,,LKU-RM01,URGENT,RM01,2026-01-05,13:30,19:30,360\n"
    )
    first, second = schedule_templates.parse(data, FILE)
    assert first == ScheduleTemplate(
        "1003800004",
        "LKU",
        "LKU-RM01",
        "URGENT",
        "RM01",
        dt.date(2026, 1, 5),
        "08:00",
        "13:00",
        300,
    )
    assert second.facility_code == "LKU"  # from the folder
    assert record_key(first) != record_key(second)
    # the key is provider, facility, date, start: a re-sent session keys the same
    (again,) = schedule_templates.parse(
        HEADER + b"1003800004,LKU,X,Y,Z,2026-01-05,8:00,12:00,240\n", FILE
    )
    assert again.start == "08:00" and record_key(again) == record_key(first)


def test_bad_rows_are_dead_letters() -> None:
    data = HEADER + (
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-05,08:00,13:00,300\n"
        b",LKU,LKU-RM01,URGENT,RM01,2026-01-05,08:00,13:00,300\n"
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-32,08:00,13:00,300\n"
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-06,8h,13:00,300\n"
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-06,13:00,08:00,300\n"
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-06,08:00,13:00,-5\n"
        b"1003800004,LKU,LKU-RM01,URGENT,RM01,2026-01-06,08:00,13:00\n"
    )
    items = list(schedule_templates.parse(data, FILE))
    assert isinstance(items[0], ScheduleTemplate)
    dead = items[1:]
    assert all(isinstance(d, DeadLetter) and d.error_class == "InvalidValue" for d in dead)
    assert [d.offset for d in dead] == [1, 2, 3, 4, 5, 6]
    columns = ["provider_npi", "date", "start", "end", "available_minutes"]
    for d, column in zip(dead, columns, strict=False):
        assert d.reason.startswith(f"{FILE} data row ") and f"'{column}'" in d.reason
    assert "8 columns" in dead[-1].reason
    assert dead[0].payload.startswith("provider_npi,")


def test_bad_files() -> None:
    (missing,) = schedule_templates.parse(b"provider_npi,date\n1,2026-01-01\n", FILE)
    assert missing.error_class == "MissingSegment" and "start" in missing.reason
    (empty,) = schedule_templates.parse(b"", FILE)
    assert empty.error_class == "MissingSegment"


def test_detection() -> None:
    data = HEADER + b"1,LKU,L,D,R,2026-01-05,08:00,13:00,300\n"
    assert detect_source(data, FILE) == "schedule_templates"
    assert detect_source(data, "LKU/2026-01.csv") == "schedule_templates"
