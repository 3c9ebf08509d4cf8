"""HL7 SIU reader on hand-written messages."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.formats import hl7_siu
from ingest.records import AppointmentEvent, DeadLetter

S12 = [
    "MSH|^~\\&|SCHED|NORTH^1.2.3^ISO|HCOPS|HCOPS|20260105083000||SIU^S12^SIU_S12|MSG0001|P|2.5.1",
    "SCH|PL100^SCHED|APT100^SCHED|||||ROUTINE^Routine visit||||||||||||||||||Booked",
    "TQ1|1||||||20260112090000|20260112093000",
    "PID|1||MRN001^^^NORTH^MR||DOE^JANE",
    "PV1|1|O|CLINIC^^^NORTH01||||||||||||||||V1001",
    "RGS|1|A",
    "AIS|1|A|99213^Office visit^CPT",
    "AIL|1|A|CARDIO^^^NORTH01",
    "AIP|1|A|2222222222^SMITH^JOHN",
]


def _message(segments: list[str], **replace: str) -> list[str]:
    out = list(segments)
    for old, new in replace.items():
        out = [s.replace(old.replace("_", "|"), new.replace("_", "|")) for s in out]
    return out


def _file(*messages: list[str], sep: str = "\r") -> bytes:
    return "".join(sep.join(m) + sep for m in messages).encode()


def test_s12_booked() -> None:
    (event,) = hl7_siu.parse(_file(S12), "a.hl7")
    assert event == AppointmentEvent(
        appointment_id="APT100",
        event_type="S12",
        event_time=dt.datetime(2026, 1, 5, 8, 30),
        message_control_id="MSG0001",
        sending_facility="NORTH",
        status="Booked",
        start_time=dt.datetime(2026, 1, 12, 9, 0),
        duration_minutes=30,
        facility_code="NORTH01",
        location_code="CARDIO",
        provider_npi="2222222222",
        service_code="99213",
        visit_number="V1001",
        patient_id="MRN001",
        event_reason=None,
    )


@pytest.mark.parametrize("sep", ["\r", "\n", "\r\n"])
def test_several_messages_and_any_segment_separator(sep: str) -> None:
    s14 = [
        s.replace("S12", "S14").replace("MSG0001", "MSG0002").replace("|Booked", "|Complete")
        for s in S12
    ]
    s15 = [
        "MSH|^~\\&|SCHED|NORTH|HCOPS|HCOPS|20260110120000.1234+0100||SIU^S15|MSG0003|P|2.5.1",
        "SCH||APT100||||PATCANCEL^Patient cancelled|||||||||||||||||||Cancelled",
        "PID|1||MRN001",
    ]
    s26 = [
        "MSH|^~\\&|SCHED|NORTH|HCOPS|HCOPS|202601120930-0500||SIU^S26|MSG0004|P|2.3",
        "SCH|PL100||||||||20|MIN|^^^202601120900||||||||||||||Noshow",
        "PV1|1|O|CLINIC^^^SOUTH02",
        "AIS|1|A|99214",
    ]
    events = list(hl7_siu.parse(_file(S12, s14, s15, s26, sep=sep), "b.hl7"))
    assert all(isinstance(e, AppointmentEvent) for e in events)
    assert [(e.event_type, e.status, e.appointment_id) for e in events] == [
        ("S12", "Booked", "APT100"),
        ("S14", "Complete", "APT100"),
        ("S15", "Cancelled", "APT100"),
        ("S26", "Noshow", "PL100"),
    ]
    cancel, noshow = events[2], events[3]
    assert cancel.event_reason == "PATCANCEL"
    assert cancel.event_time == dt.datetime(2026, 1, 10, 11, 0, 0, 123400)  # +0100 -> UTC
    assert (cancel.event_time_utc_offset, cancel.start_time_utc_offset) == ("+0100", None)
    assert (cancel.facility_code, cancel.start_time, cancel.duration_minutes) == (
        "NORTH",
        None,
        None,
    )
    # v2.3: no TQ1, start from SCH-11.4, duration from SCH-9 / SCH-10, facility from PV1-3.4
    assert noshow.event_time == dt.datetime(2026, 1, 12, 14, 30)  # -0500 -> UTC
    # the start was written without an offset: the sender's wall clock, as written
    assert (noshow.event_time_utc_offset, noshow.start_time_utc_offset) == ("-0500", None)
    assert (noshow.start_time, noshow.duration_minutes) == (dt.datetime(2026, 1, 12, 9, 0), 20)
    assert (noshow.facility_code, noshow.service_code, noshow.visit_number) == (
        "SOUTH02",
        "99214",
        None,
    )


def test_start_and_duration_from_ais_when_nothing_else() -> None:
    msg = [
        "MSH|^~\\&|SCHED|NORTH|HCOPS|HCOPS|20260105083000||SIU^S13|M9|P|2.3",
        "SCH|PL9",
        "AIS|1|A|99213|20260201100000|||1|h",
    ]
    (event,) = hl7_siu.parse(_file(msg), "c.hl7")
    assert isinstance(event, AppointmentEvent)
    assert (event.start_time, event.duration_minutes, event.appointment_id) == (
        dt.datetime(2026, 2, 1, 10, 0),
        60,
        "PL9",
    )


@pytest.mark.parametrize(
    ("segments", "error_class", "words"),
    [
        ([S12[0]], "MissingSegment", "no SCH segment"),
        ([S12[0].replace("SIU^S12^SIU_S12", "SIU"), *S12[1:]], "MissingSegment", "trigger event"),
        (
            [S12[0].replace("SIU^S12^SIU_S12", "ADT^A01"), *S12[1:]],
            "UnsupportedTransaction",
            "not SIU",
        ),
        ([S12[0], "SCH||||||", *S12[2:]], "MissingSegment", "appointment id"),
        ([S12[0].replace("20260105083000", "2026013"), *S12[1:]], "InvalidValue", "MSH-7"),
        ([S12[0].replace("|MSG0001|", "||"), *S12[1:]], "MissingSegment", "MSH-10"),
    ],
)
def test_dead_letters(segments: list[str], error_class: str, words: str) -> None:
    good = [s.replace("MSG0001", "MSG0009") for s in S12]
    items = list(hl7_siu.parse(_file(segments, good), "d.hl7"))
    dead, event = items
    assert isinstance(dead, DeadLetter) and isinstance(event, AppointmentEvent)
    assert (dead.error_class, dead.offset, dead.source) == (error_class, 0, "hl7_siu")
    assert words in dead.reason and dead.payload.startswith("MSH|")
    assert event.message_control_id == "MSG0009"


def test_space_separated_segments_are_explained() -> None:
    (dead,) = hl7_siu.parse(" ".join(S12).encode(), "e.hl7")
    assert isinstance(dead, DeadLetter) and "separated by spaces" in dead.reason


def test_garbage() -> None:
    (dead,) = hl7_siu.parse(b"\x01\x02\xff\xfe garbage", "f.hl7")
    assert isinstance(dead, DeadLetter) and dead.error_class == "EncodingError"
    (dead,) = hl7_siu.parse(b"hello\rworld", "f.hl7")
    assert isinstance(dead, DeadLetter) and dead.error_class == "MissingSegment"
    assert "before the first MSH" in dead.reason
    bad = _file(S12).replace(b"DOE^JANE", b"DOE^\x01\xff")
    (dead,) = hl7_siu.parse(bad, "g.hl7")
    assert isinstance(dead, DeadLetter) and dead.error_class == "EncodingError"


def test_latin1_text_is_not_an_encoding_error() -> None:
    (event,) = hl7_siu.parse(_file(S12).replace(b"DOE^JANE", b"DO\xc9^REN\xc9E"), "h.hl7")
    assert isinstance(event, AppointmentEvent)


def test_timestamps() -> None:
    ts = hl7_siu.timestamp
    assert ts("20260105083000", "x") == dt.datetime(2026, 1, 5, 8, 30)
    assert ts("202601050830", "x") == dt.datetime(2026, 1, 5, 8, 30)
    assert ts("20260105", "x") == dt.datetime(2026, 1, 5)
    assert ts("20260105083000.5+0215", "x") == dt.datetime(2026, 1, 5, 6, 15, 0, 500000)
    assert ts("", "x") is None
    assert hl7_siu.dtm("20260105083000.5+0215", "x") == hl7_siu.HL7Time(
        dt.datetime(2026, 1, 5, 8, 30, 0, 500000), "+0215"
    )
    assert hl7_siu.dtm("202601050830", "x") == hl7_siu.HL7Time(dt.datetime(2026, 1, 5, 8, 30), None)
