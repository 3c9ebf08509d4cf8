"""HL7 DTMs with and without a UTC offset (decision 0028): ingest makes an offset time UTC and
lands the offset next to it; a time without one stays the sender's wall clock with a null
offset; a malformed offset dead-letters its message and the file goes on."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from ingest import contracts, upcast
from ingest.formats import hl7_siu
from ingest.landing import ensure_raw_schema, land_bytes
from ingest.records import AppointmentEvent, DeadLetter


def siu(msh7: str, start: str, end: str, control_id: str = "NHO2026030200001") -> list[str]:
    """A booking as the simulated feed writes it (HL7 2.5.1, TQ1 / SCH-11 / AIS / AIL / AIP)."""
    return [
        f"MSH|^~\\&|HCOPS_SCHED|NHO|HCOPS|HCOPS|{msh7}||SIU^S12^SIU_S12|{control_id}|P|2.5.1",
        f"SCH|P000123|A000123|||||ROUTINE|NORMAL|20|min|^^20^{start}||||||||||||||Booked",
        f"TQ1|1|||||20^min|{start}|{end}|R",
        "PID|1||MRN0042^^^NHO^MR||DOE^JANE||19800101|F",
        "PV1|1|O|PC^R1^^NHO||||1234567893^SMITH^ANN^^^^^^NPI||||||||||||V000123",
        "RGS|1|A",
        f"AIS|1|A|99213^Office visit^CPT|{start}|||20|min||Booked",
        f"AIL|1|A|PC^R1^^NHO|||{start}|||20|min||Booked",
        f"AIP|1|A|1234567893^SMITH^ANN^^^^^^NPI|D^Doctor||{start}|||20|min||Booked",
    ]


def hl7_file(*messages: list[str]) -> bytes:
    return "".join("\r".join(m) + "\r\n" for m in messages).encode()


def parse_one(message: list[str]) -> AppointmentEvent | DeadLetter:
    (item,) = hl7_siu.parse(hl7_file(message), "x.hl7")
    return item


WALL = siu("20260302183000", "20260302213000", "20260302215000")
# the same booking written by a sender that states its offset (EST: UTC-5)
ZONED = siu("20260302183000-0500", "20260302213000-0500", "20260302215000-0500", "NHO-Z1")


def test_a_time_without_an_offset_lands_as_written_with_a_null_offset() -> None:
    event = parse_one(WALL)
    assert isinstance(event, AppointmentEvent)
    assert (event.event_time, event.event_time_utc_offset) == (
        dt.datetime(2026, 3, 2, 18, 30),
        None,
    )
    assert (event.start_time, event.start_time_utc_offset) == (
        dt.datetime(2026, 3, 2, 21, 30),
        None,
    )
    assert event.duration_minutes == 20


def test_a_time_with_an_offset_lands_in_utc_with_its_offset() -> None:
    event = parse_one(ZONED)
    assert isinstance(event, AppointmentEvent)
    # 18:30 -0500 = 23:30 UTC; 21:30 -0500 on 2 March = 02:30 UTC on 3 March
    assert (event.event_time, event.event_time_utc_offset) == (
        dt.datetime(2026, 3, 2, 23, 30),
        "-0500",
    )
    assert (event.start_time, event.start_time_utc_offset) == (
        dt.datetime(2026, 3, 3, 2, 30),
        "-0500",
    )
    assert event.duration_minutes == 20
    wall = parse_one(WALL)
    assert isinstance(wall, AppointmentEvent)
    # everything else is the same event
    assert event.appointment_id == wall.appointment_id == "A000123"
    assert (event.facility_code, event.visit_number) == (wall.facility_code, wall.visit_number)


def test_offsets_per_field_are_independent() -> None:
    """MSH-7 with an offset, the start without (and the other way round): each time keeps
    its own convention; the duration is read on the written clock when one side has none."""
    msh_only = parse_one(siu("20260302183000+0100", "20260302213000", "20260302215000"))
    assert isinstance(msh_only, AppointmentEvent)
    assert (msh_only.event_time, msh_only.event_time_utc_offset) == (
        dt.datetime(2026, 3, 2, 17, 30),
        "+0100",
    )
    assert (msh_only.start_time, msh_only.start_time_utc_offset) == (
        dt.datetime(2026, 3, 2, 21, 30),
        None,
    )
    start_only = parse_one(siu("20260302183000", "20260302213000-0500", "20260302215000"))
    assert isinstance(start_only, AppointmentEvent)
    assert (start_only.event_time_utc_offset, start_only.start_time_utc_offset) == (
        None,
        "-0500",
    )
    assert start_only.start_time == dt.datetime(2026, 3, 3, 2, 30)
    assert start_only.duration_minutes == 20  # 21:30 -> 21:50 as written, not 02:30 -> 21:50
    # both ends with offsets that differ (a DST change between them): the UTC span counts
    across = parse_one(siu("20261101000000-0400", "20261101013000-0400", "20261101013000-0500"))
    assert isinstance(across, AppointmentEvent) and across.duration_minutes == 60


def test_a_start_from_sch11_or_ais4_keeps_its_offset() -> None:
    """v2.3 style: no TQ1, the start from SCH-11.4 (else AIS-4)."""
    no_tq1 = [s for s in ZONED if not s.startswith("TQ1")]
    event = parse_one(no_tq1)
    assert isinstance(event, AppointmentEvent)
    assert (event.start_time, event.start_time_utc_offset, event.duration_minutes) == (
        dt.datetime(2026, 3, 3, 2, 30),
        "-0500",
        20,
    )
    ais_only = [s.replace("^^20^20260302213000-0500", "") for s in no_tq1]
    event = parse_one(ais_only)
    assert isinstance(event, AppointmentEvent)
    assert (event.start_time, event.start_time_utc_offset) == (
        dt.datetime(2026, 3, 3, 2, 30),
        "-0500",
    )


def test_corpus_sample_with_offsets(corpus_dir: Path) -> None:
    """msfc__SIU-S12-01.hl7 (HL7 2.8 sample) writes every time with `+0215`."""
    path = corpus_dir / "hl7_siu" / "msfc__SIU-S12-01.hl7"
    (event,) = hl7_siu.parse(path.read_bytes(), path.name)
    assert isinstance(event, AppointmentEvent)
    # MSH-7 202109141120+0215, TQ1-7 20210924093000+0215, TQ1-8 20210924102000+0215
    assert (event.event_time, event.event_time_utc_offset) == (
        dt.datetime(2021, 9, 14, 9, 5),
        "+0215",
    )
    assert (event.start_time, event.start_time_utc_offset) == (
        dt.datetime(2021, 9, 24, 7, 15),
        "+0215",
    )
    assert event.duration_minutes == 50


def test_every_corpus_message_lands_the_msh7_offset_it_was_written_with(corpus_dir: Path) -> None:
    """Read independently of the reader: MSH-7's trailing `±HHMM` on each MSH line (by MSH-10)."""
    written: dict[str, str | None] = {}
    landed: dict[str, str | None] = {}
    for path in sorted((corpus_dir / "hl7_siu").glob("*.hl7")):
        text = path.read_bytes().decode("latin-1").replace("\r", "\n")
        for line in text.split("\n"):
            if line.startswith("MSH|") and "|SIU^" in line:
                fields = line.split("|")
                zone = re.search(r"[+-]\d{4}$", fields[6])
                written[f"{path.name}:{fields[9]}"] = zone.group() if zone else None
        for item in hl7_siu.parse(path.read_bytes(), path.name):
            if isinstance(item, AppointmentEvent):
                key = f"{path.name}:{item.message_control_id}"
                landed[key] = item.event_time_utc_offset
    assert landed == written
    assert sum(v == "+0215" for v in landed.values()) >= 15  # the msfc samples
    assert None in landed.values()  # nhl7c__siu-example.hl7: wall clock


@pytest.mark.parametrize(
    ("msh7", "start", "where"),
    [
        ("20260302183000-05", "20260302213000", "MSH-7"),  # two digits
        ("20260302183000+05:00", "20260302213000", "MSH-7"),  # ISO colon
        ("20260302183000-0560", "20260302213000", "MSH-7"),  # minutes over 59
        ("20260302183000+1500", "20260302213000", "MSH-7"),  # beyond UTC+14
        ("20260302183000", "20260302213000-05A0", "TQ1-7"),
        ("20260302183000", "20260302213000-", "TQ1-7"),
    ],
)
def test_a_bad_offset_is_dead_lettered_and_the_file_goes_on(
    msh7: str, start: str, where: str
) -> None:
    bad = siu(msh7, start, "20260302215000", "NHO-BAD")
    dead, good = hl7_siu.parse(hl7_file(bad, ZONED), "bad.hl7")
    assert isinstance(dead, DeadLetter) and isinstance(good, AppointmentEvent)
    assert dead.error_class == "InvalidValue" and dead.offset == 0
    assert where in dead.reason and "bad time zone offset" in dead.reason
    assert dead.payload.startswith("MSH|") and "NHO-BAD" in dead.payload
    assert good.event_time_utc_offset == "-0500"


def test_offsets_land_in_raw_and_an_old_table_gains_them(tmp_path: Path) -> None:
    """A raw.appointment_event made before record v2 gains the two columns (rows landed before
    keep null: wall clock, as the v1 -> v2 upcaster says); new rows land their offsets."""
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        ensure_raw_schema(con)
        old = land_bytes(
            con, hl7_file(WALL), hl7_siu.SOURCE, hl7_siu.parse, "1.0.0", "hl7_siu/old.hl7"
        )
        for column in ("event_time_utc_offset", "start_time_utc_offset"):  # a v1 table
            con.execute(f"ALTER TABLE raw.appointment_event DROP COLUMN {column}")
        ensure_raw_schema(con)
        new = land_bytes(
            con, hl7_file(ZONED), hl7_siu.SOURCE, hl7_siu.parse, hl7_siu.PARSER_VERSION,
            "hl7_siu/new.hl7",
        )  # fmt: skip
        rows = con.execute(
            "select message_control_id, event_time, event_time_utc_offset, start_time,"
            " start_time_utc_offset, schema_version from raw.appointment_event order by 1"
        ).fetchall()
    assert old.conserved and new.conserved and (old.landed, new.landed) == (1, 1)
    assert rows == [
        (
            "NHO-Z1",
            dt.datetime(2026, 3, 2, 23, 30),
            "-0500",
            dt.datetime(2026, 3, 3, 2, 30),
            "-0500",
            2,
        ),
        (
            "NHO2026030200001",
            dt.datetime(2026, 3, 2, 18, 30),
            None,
            dt.datetime(2026, 3, 2, 21, 30),
            None,
            2,
        ),
    ]


def test_appointment_event_v1_upcasts_to_v2_as_wall_clock() -> None:
    event = parse_one(ZONED)
    assert isinstance(event, AppointmentEvent)
    v2 = contracts.to_json(event)
    assert v2["event_time_utc_offset"] == v2["start_time_utc_offset"] == "-0500"
    assert contracts.validate(v2, contracts.load_schema("appointment_event", 2)) == []
    v1_schema, v2_schema = (contracts.load_schema("appointment_event", n) for n in (1, 2))
    added = set(v2_schema["properties"]) - set(v1_schema["properties"])
    assert added == {"event_time_utc_offset", "start_time_utc_offset"}
    assert contracts.breaking_changes(v1_schema, v2_schema) == []
    v1 = {k: v for k, v in v2.items() if k not in added}
    assert contracts.validate(v1, v1_schema) == []
    lifted = upcast.upcast("appointment_event", v1, from_version=1)
    assert list(lifted) == list(v2)  # same fields, same order
    assert lifted["event_time_utc_offset"] is None and lifted["start_time_utc_offset"] is None
    assert contracts.validate(lifted, v2_schema) == []
    assert upcast.upcast("appointment_event", v2, from_version=1) == v2  # kept when present
