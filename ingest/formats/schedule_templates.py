"""Provider schedule templates (CSV with a header row) -> ScheduleTemplate per row.

`filename` is `schedule_templates/<FACILITY>/<YYYY-MM>.csv` (the `schedule_templates/` prefix
is optional). Columns (found by name, extra columns ignored): provider_npi, facility_code,
location_code, department, room, date (`YYYY-MM-DD`), start, end (`HH:MM`, local time of the
facility), available_minutes (integer >= 0). An empty facility_code is taken from the folder.
Key: provider, facility, date, start.

Dead letters: a row with the wrong column count, an empty provider_npi / date / start / end /
available_minutes, an unreadable date, time or number, or an end not after its start
(`InvalidValue`, reason = file, data row, line and column; payload = header + row; offset =
0-based data row); a file with no header or missing a column (`MissingSegment`, one dead
letter for the file); undecodable bytes (`EncodingError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from ingest.formats.patient_accounting import (
    RowError,
    decoded,
    optional,
    parse_date,
    required,
    split_header,
    typed_rows,
)
from ingest.records import DeadLetter, Record, ScheduleTemplate

SOURCE = "schedule_templates"
PARSER_VERSION = "1.0.0"

COLUMNS = (
    "provider_npi",
    "facility_code",
    "location_code",
    "department",
    "room",
    "date",
    "start",
    "end",
    "available_minutes",
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Template sessions of one schedule extract; bad rows / files as dead letters. Never
    raises."""
    text = yield from decoded(SOURCE, data, filename)
    if text is None:
        return
    path = PurePosixPath(filename.replace("\\", "/"))
    folder_facility = path.parent.name if path.parent.name not in ("", SOURCE) else None
    header, rows = split_header(text)
    if header is None:
        yield DeadLetter(SOURCE, "MissingSegment", f"{filename}: no header row", text, 0)
        return

    def build(values: dict[str, str]) -> Record:
        facility = optional(values["facility_code"]) or folder_facility
        if facility is None:
            raise RowError("facility_code", "empty (and no facility folder)")
        start = _time("start", values["start"])
        end = _time("end", values["end"])
        if end <= start:
            raise RowError("end", f"{end} is not after start {start}")
        minutes_text = required(values, "available_minutes")
        if not minutes_text.isdigit():
            raise RowError("available_minutes", f"{minutes_text!r} is not a whole number >= 0")
        date = parse_date("date", values["date"], True)
        assert date is not None
        return ScheduleTemplate(
            provider_npi=required(values, "provider_npi"),
            facility_code=facility,
            location_code=optional(values["location_code"]),
            department=optional(values["department"]),
            room=optional(values["room"]),
            date=date,
            start=start,
            end=end,
            available_minutes=int(minutes_text),
        )

    yield from typed_rows(SOURCE, filename, text, header, rows, COLUMNS, build)


def _time(column: str, value: str) -> str:
    """`HH:MM` (zero-padded) of an `H:MM`, `HH:MM` or `HH:MM:00` value."""
    value = value.strip()
    if not value:
        raise RowError(column, "empty")
    match = _TIME.fullmatch(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowError(column, f"{value!r} is not a time HH:MM")
    return f"{int(match.group(1)):02d}:{match.group(2)}"
