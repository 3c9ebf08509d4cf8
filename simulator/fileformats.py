"""Light, format-agnostic reading of the writers' output, for the fault layer and the
integration truth: which format a file is in, its messages and their source event times.

A *message* is the unit a source delivers and the landing counts: an HL7 message (starts with
`MSH|`), an X12 transaction set (ST..SE), an NDJSON line, a CSV data row; a file of any other
format (BAI2, JSON document, ...) counts as one message. The event time of a message is HL7
MSH-7, X12 GS04 + GS05 (the functional group's creation), FHIR `meta.lastUpdated` (as the
network's local wall time), a CSV column named like "modified" / "updated"; formats without
one have none. Event times are naive local wall times (simulator.clock).

A *status event* is a message that changes the state of one record (an appointment, a claim at
a payer): HL7 SIU messages, FHIR Appointment lines, vendor CSV rows (a file with an
appointment-id and a last-modified column) and 277CA claim statuses (loop 2200D; not the 277
responses to claim status inquiries, X212). The fault layer delivers such files out of order
and checks which later events overtook them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass

from simulator.clock import to_local

DATE_TOKEN = re.compile(r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?!\d)")  # YYYYMMDD, YYYY-MM-DD
US_DATE_TOKEN = re.compile(r"(?<!\d)(\d{2})(\d{2})(20\d{2})(?!\d)")  # MMDDYYYY (vendor CSV)
LAST_UPDATED = re.compile(r'"lastUpdated"\s*:\s*"([^"]+)"')


def detect(name: str, text: str) -> str:
    """hl7, x12, ndjson, json, csv or other."""
    lower = name.lower()
    if text.startswith("MSH|"):
        return "hl7"
    if text.startswith("ISA") and len(text) > 106:
        return "x12"
    if lower.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".csv"):
        return "csv"
    return "other"


def hl7_time(value: str) -> dt.datetime | None:
    digits = value.split("+")[0].split("-")[0].split(".")[0]
    try:
        return dt.datetime.strptime(digits[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def hl7_messages(text: str) -> list[str]:
    """The messages of an HL7 file: each starts with `MSH|` at the start of the file or of a
    line / segment (kept with its trailing separators)."""
    parts = text.split("MSH|")
    messages: list[str] = []
    for part in parts[1:]:
        if messages and not messages[-1].endswith(("\r", "\n")):
            messages[-1] += "MSH|" + part  # 'MSH|' inside a field, not a message start
        else:
            messages.append("MSH|" + part)
    return messages


def hl7_field(message: str, segment: str, number: int) -> str:
    """Field `number` of the first `segment` (MSH numbering: MSH-1 is the separator)."""
    if segment == "MSH":
        fields = message.split("\r", 1)[0].strip("\n").split("|")
        return fields[number - 1] if number - 1 < len(fields) else ""
    marker = "\r" + segment + "|"
    at = message.find(marker)
    if at < 0:
        at = message.find("\n" + segment + "|")
    if at < 0:
        return ""
    seg = message[at + 1:].split("\r", 1)[0].strip("\n")
    fields = seg.split("|")
    return fields[number] if number < len(fields) else ""


@dataclass(frozen=True)
class X12Layout:
    element: str
    terminator: str


def x12_layout(text: str) -> X12Layout:
    return X12Layout(text[3], text[105])


def x12_segments(text: str) -> list[str]:
    """Segments without terminators or surrounding whitespace."""
    layout = x12_layout(text)
    return [s.strip() for s in text.split(layout.terminator) if s.strip()]


def _x12_times(text: str) -> list[dt.datetime | None]:
    layout = x12_layout(text)
    times: list[dt.datetime | None] = []
    group_time: dt.datetime | None = None
    for seg in x12_segments(text):
        elements = seg.split(layout.element)
        if elements[0] == "GS" and len(elements) > 5:
            group_time = _gs_time(elements[4], elements[5])
        elif elements[0] == "ST":
            times.append(group_time)
    return times


def _iso(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return to_local(parsed)


def message_times(fmt: str, text: str) -> list[dt.datetime | None]:
    """One entry per message of the file: its event time, or None."""
    if fmt == "hl7":
        return [hl7_time(hl7_field(m, "MSH", 7)) for m in hl7_messages(text)]
    if fmt == "x12":
        return _x12_times(text)
    if fmt == "ndjson":
        return [(_iso(found.group(1)) if (found := LAST_UPDATED.search(line)) else None)
                for line in text.splitlines() if line.strip()]
    if fmt == "csv":
        return _csv_times(text)
    return [None]


CSV_TIME_FORMATS = ("%d-%b-%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                    "%Y-%m-%d %H:%M:%S")


def _csv_time(value: str) -> dt.datetime | None:
    for pattern in CSV_TIME_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    return None


def csv_column(header: list[str], *words: str) -> int | None:
    """The first column whose lower-cased name contains one of `words`."""
    for index, name in enumerate(header):
        if any(word in name.lower() for word in words):
            return index
    return None


def _csv_times(text: str) -> list[dt.datetime | None]:
    """One entry per data row: its last-modified / updated time when the layout has one."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if len(rows) < 2:
        return []
    column = csv_column(rows[0], "modified", "updated")
    if column is None:
        return [None] * (len(rows) - 1)
    return [_csv_time(row[column]) if column < len(row) else None for row in rows[1:]]


def name_date(name: str) -> tuple[re.Match[str] | None, dt.date | None]:
    """The first date token (YYYYMMDD, YYYY-MM-DD, else MMDDYYYY) of the file's own name (the
    match), else of its folders (no match: the date is not in the file's own name)."""
    base = name.rsplit("/", 1)[-1]
    for text, own in ((base, True), (name, False)):
        for pattern in (DATE_TOKEN, US_DATE_TOKEN):
            for found in pattern.finditer(text):
                year, month, day = ((found.group(1), found.group(2), found.group(3))
                                    if pattern is DATE_TOKEN
                                    else (found.group(3), found.group(1), found.group(2)))
                try:
                    value = dt.date(int(year), int(month), int(day))
                except ValueError:
                    continue
                return (found if own else None), value
    return None, None


def format_like(token: str, day: dt.date) -> str:
    """`day` written in the format of a date token of name_date."""
    if "-" in token:
        return day.isoformat()
    return day.strftime("%Y%m%d" if token.startswith("20") else "%m%d%Y")


def split_name(name: str) -> tuple[str, str]:
    """(path without extension, extension with its dot) of the last path component."""
    head, _, base = name.rpartition("/")
    stem, dot, ext = base.partition(".")
    prefix = f"{head}/" if head else ""
    return prefix + stem, (dot + ext) if dot else ""


MONTH_TOKEN = re.compile(r"(?<!\d)(20\d{2})-(\d{2})(?![-\d])")  # YYYY-MM (monthly extracts)


def name_month(name: str) -> dt.date | None:
    """The first day of the month a monthly file is named for (`<fac>/2026-01.csv`)."""
    found = MONTH_TOKEN.search(name.rsplit("/", 1)[-1])
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    return dt.date(int(found.group(1)), int(found.group(2)), 1)


@dataclass(frozen=True)
class StatusEvent:
    key: str  # the record whose state it changes: appointment id, or payer|claim id (277CA)
    time: dt.datetime  # source event time (local wall time)
    locator: str  # where it sits in its file


APPOINTMENT_ID_WORDS = ("appt id", "appointment id", "appointment_id")


def carries_status(fmt: str, name: str, text: str) -> bool:
    """Whether the file holds status events (cheap: no full parse)."""
    if fmt == "hl7":
        return True
    if fmt == "ndjson":
        return name.rsplit("/", 1)[-1].startswith("Appointment")
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
        return (csv_column(header, *APPOINTMENT_ID_WORDS) is not None
                and csv_column(header, "modified", "updated") is not None)
    if fmt == "x12":  # a 277CA; a 277 claim status response (X212) answers an inquiry
        layout = x12_layout(text)
        return (f"ST{layout.element}277{layout.element}" in text
                and f"{layout.element}005010X212" not in text)
    return False


def status_events(fmt: str, name: str, text: str) -> list[StatusEvent]:
    """The status events of a file, in file order (none for other files)."""
    if not carries_status(fmt, name, text):
        return []
    if fmt == "hl7":
        return _hl7_events(text)
    if fmt == "ndjson":
        return _fhir_events(text)
    if fmt == "csv":
        return _csv_events(text)
    return _x12_277_events(text)


def _hl7_events(text: str) -> list[StatusEvent]:
    found = []
    for message in hl7_messages(text):
        appointment = hl7_field(message, "SCH", 2)
        event = hl7_time(hl7_field(message, "MSH", 7))
        if appointment and event:
            control = hl7_field(message, "MSH", 10)
            found.append(StatusEvent(appointment, event,
                                     f"SCH-2={appointment};MSH-10={control}"))
    return found


def _fhir_events(text: str) -> list[StatusEvent]:
    found = []
    for line in text.splitlines():
        try:
            resource = json.loads(line)
        except ValueError:
            continue
        if not isinstance(resource, dict) or not isinstance(resource.get("meta"), dict):
            continue
        meta = resource["meta"]
        event = _iso(str(meta.get("lastUpdated", "")))
        if resource.get("resourceType") == "Appointment" and resource.get("id") and event:
            found.append(StatusEvent(resource["id"], event,
                                     f"id={resource['id']};versionId={meta.get('versionId', '')}"))
    return found


def _csv_events(text: str) -> list[StatusEvent]:
    rows = list(csv.reader(io.StringIO(text)))
    key = csv_column(rows[0], *APPOINTMENT_ID_WORDS)
    column = csv_column(rows[0], "modified", "updated")
    found = []
    for row in rows[1:]:
        if key is None or column is None or max(key, column) >= len(row):
            continue
        event = _csv_time(row[column])
        if row[key] and event:
            found.append(StatusEvent(row[key], event, f"{rows[0][key]}={row[key]};"
                                                       f"{rows[0][column]}={row[column]}"))
    return found


def _x12_277_events(text: str) -> list[StatusEvent]:
    """One event per claim status (2200D, the TRN after an HL of level PT), keyed by the
    payer (2100A NM1*PR09) and the claim (TRN02 = CLM01)."""
    layout = x12_layout(text)
    found = []
    isa13 = st02 = payer = level = ""
    group_time: dt.datetime | None = None
    for seg in x12_segments(text):
        e = seg.split(layout.element)
        tag = e[0]
        if tag == "ISA" and len(e) > 13:
            isa13 = e[13]
        elif tag == "GS" and len(e) > 5:
            group_time = _gs_time(e[4], e[5])
        elif tag == "ST" and len(e) > 2:
            st02 = e[2]
        elif tag == "HL" and len(e) > 3:
            level = e[3]
        elif tag == "NM1" and len(e) > 9 and e[1] == "PR":
            payer = e[9]
        elif tag == "TRN" and len(e) > 2 and level == "PT" and group_time is not None:
            found.append(StatusEvent(f"{payer}|{e[2]}", group_time,
                                     f"ISA13={isa13};ST02={st02};TRN02={e[2]}"))
    return found


def _gs_time(day: str, time: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(day + time[:4], "%Y%m%d%H%M")
    except ValueError:
        return None
