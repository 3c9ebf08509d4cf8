"""HL7 v2 SIU scheduling messages -> AppointmentEvent (one per message), with python-hl7.

A file holds one or more messages; each starts with a line `MSH|`. Segment separators `\\r`,
`\\n` and `\\r\\n` are all accepted (normalized to `\\r` for python-hl7), MLLP framing bytes are
dropped. Messages that are not SIU (ADT, DFT, ...) or lack what an appointment event needs
(SCH, MSH-9 trigger, MSH-7 time, MSH-10 control id, an appointment id) become dead letters.

Timestamps (`YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]`) become naive datetimes. One written
with a UTC offset is converted to UTC and its offset lands next to it (`event_time_utc_offset`,
`start_time_utc_offset`); one without is the sender's wall clock, landed as written with a null
offset: dbt reads it in the facility's zone (decision 0028). A malformed offset (not four
digits, minutes over 59, more than 14 hours) dead-letters the message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import hl7

from ingest.records import AppointmentEvent, DeadLetter, Record
from ingest.x12 import decode, undecodable

SOURCE = "hl7_siu"
PARSER_VERSION = "1.1.0"  # 1.1: UTC offsets landed (record v2)

_MLLP = str.maketrans("", "", "\x0b\x1c")
_UNIT_MINUTES = {
    "s": Decimal(1) / 60, "sec": Decimal(1) / 60, "seconds": Decimal(1) / 60,
    "m": Decimal(1), "min": Decimal(1), "minutes": Decimal(1), "minute": Decimal(1),
    "h": Decimal(60), "hr": Decimal(60), "hour": Decimal(60), "hours": Decimal(60),
    "d": Decimal(1440), "day": Decimal(1440), "days": Decimal(1440),
}  # fmt: skip


class HL7Time(NamedTuple):
    """An HL7 DTM: the time as written and the UTC offset written with it (`-0500`), if any."""

    written: dt.datetime
    offset: str | None

    @property
    def value(self) -> dt.datetime:
        """As landed: UTC when an offset was written, else the wall clock as written."""
        return self.written - _offset_delta(self.offset) if self.offset else self.written


class HL7ValueError(ValueError):
    def __init__(self, error_class: str, reason: str) -> None:
        super().__init__(reason)
        self.error_class = error_class


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """AppointmentEvents of an HL7 file; anything else as dead letters. Never raises."""
    text, fallback = decode(data)
    messages = split_messages(text)
    if not messages:
        head = text.strip()[:20]
        reason = f"no MSH segment: file starts with {head!r}" if head else "file is empty"
        yield DeadLetter(SOURCE, "MissingSegment", reason, text, 0)
        return
    for index, message in enumerate(messages):
        yield _one(message, index, fallback)


def split_messages(text: str) -> list[str]:
    """Messages of a file, each with `\\r` segment separators and no blank lines."""
    lines = text.translate(_MLLP).replace("\r\n", "\r").replace("\n", "\r").split("\r")
    messages: list[list[str]] = []
    for line in lines:
        line = line.strip("\x00 \t")
        if not line:
            continue
        if line.startswith("MSH") or not messages:
            messages.append([line])
        else:
            messages[-1].append(line)
    return ["\r".join(m) for m in messages]


def _one(message: str, index: int, fallback: bool) -> AppointmentEvent | DeadLetter:
    try:
        if fallback and (ch := undecodable(message, "\x0b\x1c")) is not None:
            raise HL7ValueError(
                "EncodingError", f"message is not text: control byte {ord(ch):#04x}"
            )
        return _event(message)
    except HL7ValueError as exc:
        return DeadLetter(SOURCE, exc.error_class, f"message #{index}: {exc}", message, index)
    except Exception as exc:  # noqa: BLE001 - a bad message must not stop the file
        reason = f"message #{index}: HL7 parser failed: {exc!r}"
        return DeadLetter(SOURCE, "InvalidValue", reason, message, index)


def _event(message: str) -> AppointmentEvent:
    if not message.startswith("MSH") or len(message) < 8:
        raise HL7ValueError(
            "MissingSegment", f"text before the first MSH segment: {message[:30]!r}"
        )
    msg = hl7.parse(message)
    get = _getter(msg)
    message_type, trigger = get("MSH.F9.R1.C1"), get("MSH.F9.R1.C2")
    control_id = get("MSH.F10")
    if message_type != "SIU":
        raise HL7ValueError(
            "UnsupportedTransaction",
            f"MSH-9 message type {get('MSH.F9')!r} (MSH-10 {control_id!r}) is not SIU",
        )
    if not trigger:
        raise HL7ValueError(
            "MissingSegment", f"MSH-9 {get('MSH.F9')!r} has no trigger event (MSH-9.2)"
        )
    if not control_id:
        raise HL7ValueError("MissingSegment", "MSH-10 message control id is empty")
    if not _has(msg, "SCH"):
        raise HL7ValueError(
            "MissingSegment",
            f"SIU^{trigger} {control_id!r} has no SCH segment{_space_hint(message)}",
        )
    event_time = dtm(get("MSH.F7"), "MSH-7 message time")
    if event_time is None:
        raise HL7ValueError("MissingSegment", f"MSH-7 message time is empty ({control_id!r})")
    appointment_id = get("SCH.F2.R1.C1") or get("SCH.F1.R1.C1")
    if not appointment_id:
        raise HL7ValueError(
            "MissingSegment", f"SCH-2 / SCH-1 appointment id is empty ({control_id!r})"
        )
    start, duration = _schedule(msg, get)
    facility = get("MSH.F4.R1.C1") or None
    return AppointmentEvent(
        appointment_id=appointment_id,
        event_type=trigger,
        event_time=event_time.value,
        message_control_id=control_id,
        sending_facility=facility,
        status=get("SCH.F25.R1.C1") or None,
        start_time=start.value if start else None,
        duration_minutes=duration,
        facility_code=get("AIL.F3.R1.C4") or get("PV1.F3.R1.C4") or facility,
        location_code=get("AIL.F3.R1.C1") or None,
        provider_npi=get("AIP.F3.R1.C1") or None,
        service_code=get("AIS.F3.R1.C1") or None,
        visit_number=get("PV1.F19.R1.C1") or None,
        patient_id=get("PID.F3.R1.C1") or None,
        event_reason=get("SCH.F6.R1.C1") or None,
        event_time_utc_offset=event_time.offset,
        start_time_utc_offset=start.offset if start else None,
    )


def _space_hint(message: str) -> str:
    return " (segments seem separated by spaces, not CR)" if " SCH|" in message else ""


def _has(msg: hl7.Message, segment_id: str) -> bool:
    return any(str(seg[0]) == segment_id for seg in msg)


def _getter(msg: hl7.Message) -> Callable[[str], str]:
    def get(path: str) -> str:
        try:
            return str(msg[path]).strip()
        except (IndexError, KeyError):
            return ""

    return get


def _schedule(msg: hl7.Message, get: Callable[[str], str]) -> tuple[HL7Time | None, int | None]:
    """Start (TQ1-7, else SCH-11.4, else AIS-4) and duration in minutes."""
    tq1_start = dtm(get("TQ1.F7.R1.C1"), "TQ1-7 start")
    tq1_end = dtm(get("TQ1.F8.R1.C1"), "TQ1-8 end")
    start = (
        tq1_start
        or dtm(get("SCH.F11.R1.C4"), "SCH-11.4 start")
        or dtm(get("AIS.F4.R1.C1"), "AIS-4 start")
    )
    duration = _span_minutes(tq1_start, tq1_end) if tq1_start and tq1_end else None
    duration = (
        duration
        if duration is not None
        else _minutes(get("TQ1.F6.R1.C1"), get("TQ1.F6.R1.C2"))
        or _minutes(get("SCH.F9"), get("SCH.F10.R1.C1"))
        or _minutes(get("AIS.F7"), get("AIS.F8.R1.C1"))
    )
    return start, duration


def _span_minutes(start: HL7Time, end: HL7Time) -> int | None:
    """Minutes from start to end: between the UTC instants when both carry an offset, else
    between the written times (a time without one is the sender's clock, whatever the other
    says); None when the end is before the start."""
    both_zoned = start.offset is not None and end.offset is not None
    span = end.value - start.value if both_zoned else end.written - start.written
    return int(span.total_seconds() // 60) if span >= dt.timedelta(0) else None


def _minutes(quantity: str, unit: str) -> int | None:
    if not quantity:
        return None
    try:
        value = Decimal(quantity)
    except InvalidOperation:
        return None
    factor = _UNIT_MINUTES.get(unit.strip().lower() or "min")
    return int(value * factor) if factor is not None and value.is_finite() else None


def timestamp(value: str, where: str) -> dt.datetime | None:
    """An HL7 DTM as a naive datetime (UTC when the value has an offset); None when empty."""
    parsed = dtm(value, where)
    return parsed.value if parsed else None


def dtm(value: str, where: str) -> HL7Time | None:
    """An HL7 DTM as written, with its offset; None when empty. Raises HL7ValueError naming
    `where` when it is not a valid date / time or its offset is malformed."""
    value = value.strip()
    if not value:
        return None
    main, offset = value, None
    for sign in "+-":
        cut = value.find(sign, 4)
        if cut != -1:
            main, offset = value[:cut], value[cut:]
    digits, _, fraction = main.partition(".")
    if not digits.isdigit() or len(digits) not in (4, 6, 8, 10, 12, 14):
        raise HL7ValueError("InvalidValue", f"{where} {value!r} is not an HL7 timestamp")
    try:
        parts = [int(digits[i : i + 2]) for i in range(4, len(digits), 2)]
        month, day, hour, minute, second = [*parts, *(1, 1, 0, 0, 0)[len(parts) :]]
        micro = int((fraction + "000000")[:6]) if fraction.isdigit() else 0
        result = dt.datetime(int(digits[:4]), month, day, hour, minute, second, micro)
    except ValueError:
        raise HL7ValueError(
            "InvalidValue", f"{where} {value!r} is not a valid date / time"
        ) from None
    if offset is not None and not _valid_offset(offset):
        raise HL7ValueError("InvalidValue", f"{where} {value!r} has a bad time zone offset")
    return HL7Time(result, offset)


def _valid_offset(offset: str) -> bool:
    """`+HHMM` / `-HHMM` within the offsets in use (UTC-12:00 .. UTC+14:00, rounded to 14h)."""
    body = offset[1:]
    return len(body) == 4 and body.isdigit() and int(body[:2]) <= 14 and int(body[2:]) < 60


def _offset_delta(offset: str) -> dt.timedelta:
    delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
    return -delta if offset[0] == "-" else delta
