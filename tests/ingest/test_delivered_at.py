"""Arrival time (`delivered_at`) next to the landing time (`received_at`), decision 0014: a
file's modification time, a caller's value, kept by replay; old warehouses gain the column."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from ingest.formats import hl7_siu
from ingest.landing import RAW_SCHEMA, ensure_raw_schema, land_bytes
from ingest.pipeline import land_source
from ingest.records import RECORD_TYPES
from ingest.replay import redrive_dead_letters, reprocess_files

MESSAGE = (
    "MSH|^~\\&|SCHED|NORTH|HCOPS|HCOPS|{time}||SIU^S12^SIU_S12|{id}|P|2.5.1\r"
    "SCH|PL1|{apt}|||||ROUTINE||||||||||||||||||Booked\r"
    "PV1|1|O|CLINIC^^^NORTH01||||||||||||||||V{id}\r"
)
GOOD = MESSAGE.format(time="20260105083000", id="M1", apt="A1")
OTHER = MESSAGE.format(time="20260106083000", id="M2", apt="A2")
BAD = MESSAGE.format(time="2026-01-05 09:00", id="M3", apt="A3")  # not an HL7 DTM
DAY1 = dt.datetime(2026, 1, 5, 23, 59, 30)  # naive UTC
DAY2 = dt.datetime(2026, 1, 6, 18, 0, 5)


def _deliver(folder: Path, name: str, text: str, at: dt.datetime) -> Path:
    """Write a file whose modification time is its (simulated) delivery time."""
    path = folder / name
    path.write_text(text)
    stamp = at.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _rows(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def landed(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "landing" / "hl7_siu"
    folder.mkdir(parents=True)
    _deliver(folder, "day1.hl7", GOOD + BAD, DAY1)
    _deliver(folder, "day2.hl7", OTHER, DAY2)
    warehouse = tmp_path / "warehouse.duckdb"
    batches = land_source(warehouse, "hl7_siu", folder)
    assert [(b.landed, b.dead_lettered) for b in batches] == [(1, 1), (1, 0)]
    return warehouse, tmp_path / "landing"


def test_a_landed_file_carries_its_modification_time(landed: tuple[Path, Path]) -> None:
    warehouse, _ = landed
    events = _rows(
        warehouse,
        "select message_control_id, delivered_at, received_at > delivered_at "
        "from raw.appointment_event order by 1",
    )
    assert events == [("M1", DAY1, True), ("M2", DAY2, True)]
    assert _rows(warehouse, "select delivered_at from raw.dead_letters") == [(DAY1,)]
    batches = _rows(
        warehouse,
        "select source_file, delivered_at from raw.landing_batches order by source_file",
    )
    assert batches == [("hl7_siu/day1.hl7", DAY1), ("hl7_siu/day2.hl7", DAY2)]


def test_replay_keeps_the_arrival_time(landed: tuple[Path, Path]) -> None:
    warehouse, landing = landed
    fixed = type(
        "Fixed",
        (),
        {
            "SOURCE": "hl7_siu",
            "PARSER_VERSION": "1.0.1",
            "parse": staticmethod(
                lambda data, name: hl7_siu.parse(
                    data.replace(b"2026-01-05 09:00", b"202601050900"), name
                )
            ),
        },
    )
    assert redrive_dead_letters(warehouse, parser=fixed).resolved == 1  # type: ignore[arg-type]
    redriven = _rows(
        warehouse, "select delivered_at from raw.appointment_event where message_control_id='M3'"
    )
    assert redriven == [(DAY1,)]
    result = reprocess_files(warehouse, landing, "hl7_siu", files=["day2.hl7"])
    assert [b.duplicates for b in result.batches] == [1]
    latest = _rows(
        warehouse,
        "select delivered_at from raw.landing_batches order by received_at desc limit 2",
    )
    assert latest == [(DAY2,), (DAY1,)]  # the re-processed file, then the re-driven letter


def test_land_bytes_takes_the_arrival_time_and_defaults_to_landing_time() -> None:
    con = duckdb.connect()
    ensure_raw_schema(con)
    arrived = dt.datetime(2026, 1, 5, 9, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    landed_at = dt.datetime(2026, 1, 5, 16, 0, 0)
    source = hl7_siu.SOURCE
    land_bytes(
        con, GOOD.encode(), source, hl7_siu.parse, "1", "a.hl7", landed_at, delivered_at=arrived
    )
    land_bytes(con, OTHER.encode(), source, hl7_siu.parse, "1", "b.hl7", landed_at)
    rows = con.execute(
        "select source_file, delivered_at, received_at from raw.landing_batches order by 1"
    ).fetchall()
    assert rows == [
        ("a.hl7", dt.datetime(2026, 1, 5, 14, 0, 0), landed_at),  # the offset applied: UTC
        ("b.hl7", landed_at, landed_at),
    ]


def test_an_old_warehouse_gains_the_column_and_keeps_landing(tmp_path: Path) -> None:
    """Tables made before `delivered_at` existed: ensure_raw_schema adds it at the end (old
    rows null), and new landings fill it."""
    warehouse = tmp_path / "old.duckdb"
    tables = [t.kind for t in RECORD_TYPES] + ["dead_letters", "landing_batches"]
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        land_bytes(con, GOOD.encode(), "hl7_siu", hl7_siu.parse, "1", "old.hl7")
        for table in tables:  # back to the shape of a warehouse made before the column
            con.execute(f"alter table {RAW_SCHEMA}.{table} drop column delivered_at")
        ensure_raw_schema(con)
        ensure_raw_schema(con)  # idempotent
        for table in tables:
            columns = con.execute(f"select column_name from (describe {RAW_SCHEMA}.{table})")
            assert [c for (c,) in columns.fetchall()][-1] == "delivered_at", table
    folder = tmp_path / "hl7_siu"
    folder.mkdir()
    _deliver(folder, "new.hl7", OTHER, DAY2)
    land_source(warehouse, "hl7_siu", folder)
    assert _rows(
        warehouse, "select message_control_id, delivered_at from raw.appointment_event order by 1"
    ) == [("M1", None), ("M2", DAY2)]
