"""Replay: re-drive dead letters with a fixed parser, re-process files, exactly once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from ingest.formats import hl7_siu
from ingest.landing import ensure_raw_schema
from ingest.pipeline import land_source
from ingest.records import DeadLetter, Record
from ingest.replay import redrive_dead_letters, reprocess_files

MESSAGE = (
    "MSH|^~\\&|SCHED|NORTH|HCOPS|HCOPS|{time}||SIU^S12^SIU_S12|{id}|P|2.5.1\r"
    "SCH|PL1|{apt}|||||ROUTINE||||||||||||||||||Booked\r"
    "PV1|1|O|CLINIC^^^NORTH01||||||||||||||||V{id}\r"
)
GOOD_1 = MESSAGE.format(time="20260105083000", id="M1", apt="A1")
GOOD_2 = MESSAGE.format(time="20260105084500", id="M2", apt="A2")
BAD = MESSAGE.format(time="2026-01-05 09:00", id="M3", apt="A3")  # ISO time: not an HL7 DTM


def _fixed_parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """The 'fixed' parser: the real one, after normalizing ISO timestamps in MSH-7."""
    return hl7_siu.parse(data.replace(b"2026-01-05 09:00", b"202601050900"), filename)


FIXED = SimpleNamespace(SOURCE="hl7_siu", PARSER_VERSION="1.0.1", parse=_fixed_parse)


@pytest.fixture
def landed(tmp_path: Path) -> tuple[Path, Path]:
    """A warehouse where one file of 3 messages landed 2 events and 1 dead letter."""
    landing = tmp_path / "landing"
    (landing / "hl7_siu").mkdir(parents=True)
    (landing / "hl7_siu" / "day1.hl7").write_text(GOOD_1 + GOOD_2 + BAD)
    warehouse = tmp_path / "warehouse.duckdb"
    (batch,) = land_source(warehouse, "hl7_siu", landing / "hl7_siu")
    assert (batch.landed, batch.dead_lettered) == (2, 1)
    return warehouse, landing


def _query(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _state(warehouse: Path) -> tuple[object, ...]:
    return (
        _query(warehouse, "select count(*) from raw.appointment_event")[0][0],
        _query(warehouse, "select count(*) from raw.landing_batches")[0][0],
        _query(
            warehouse,
            "select attempts, resolved_at is not null, resolved_by_parser_version "
            "from raw.dead_letters",
        ),
    )


def test_the_current_parser_still_fails_attempts_go_up(landed: tuple[Path, Path]) -> None:
    warehouse, _ = landed
    later = dt.datetime(2026, 2, 1, 12, 0)
    result = redrive_dead_letters(warehouse, "hl7_siu", now=later)
    assert (result.examined, result.resolved, result.still_failing) == (1, 0, 1)
    assert _state(warehouse) == (2, 1, [(2, False, None)])
    assert _query(warehouse, "select last_seen_at from raw.dead_letters") == [(later,)]


def test_a_fixed_parser_redrives_exactly_once(landed: tuple[Path, Path]) -> None:
    warehouse, _ = landed
    result = redrive_dead_letters(warehouse, parser=FIXED)  # type: ignore[arg-type]
    assert (result.examined, result.resolved, result.landed, result.duplicates) == (1, 1, 1, 0)
    assert _state(warehouse) == (3, 2, [(2, True, "1.0.1")])
    (event,) = _query(
        warehouse,
        "select appointment_id, event_time, parser_version, source_file "
        "from raw.appointment_event where message_control_id = 'M3'",
    )
    assert event == ("A3", dt.datetime(2026, 1, 5, 9, 0), "1.0.1", "hl7_siu/day1.hl7")
    (batch,) = _query(
        warehouse,
        "select received, landed, duplicates, dead_lettered from raw.landing_batches "
        "where parser_version = '1.0.1'",
    )
    assert batch == (1, 1, 0, 0)

    before = _state(warehouse)
    again = redrive_dead_letters(warehouse, parser=FIXED)  # type: ignore[arg-type]
    assert (again.examined, again.resolved, again.landed) == (0, 0, 0)
    assert _state(warehouse) == before


def test_reprocessing_a_file_lands_nothing_new(landed: tuple[Path, Path]) -> None:
    warehouse, landing = landed
    redrive_dead_letters(warehouse, parser=FIXED)  # type: ignore[arg-type]
    result = reprocess_files(warehouse, landing, "hl7_siu", files=["day1.hl7"], parser=FIXED)  # type: ignore[arg-type]
    (batch,) = result.batches
    assert (batch.received, batch.landed, batch.duplicates, batch.dead_lettered) == (3, 0, 3, 0)
    assert batch.conserved and not batch.skipped and result.landed == 0
    assert _query(warehouse, "select count(*) from raw.appointment_event") == [(3,)]

    # the plain sweep still skips the file; a second reprocess is again all duplicates
    assert [b.skipped for b in land_source(warehouse, "hl7_siu", landing / "hl7_siu")] == [True]
    absolute = landing / "hl7_siu" / "day1.hl7"
    again = reprocess_files(warehouse, landing, "hl7_siu", files=[absolute])
    assert [b.landed for b in again.batches] == [0]
    assert _query(warehouse, "select count(*) from raw.appointment_event") == [(3,)]


def test_reprocessing_a_window(landed: tuple[Path, Path]) -> None:
    warehouse, landing = landed
    (landing / "hl7_siu" / "gone.hl7").write_text(GOOD_1)
    land_source(warehouse, "hl7_siu", landing / "hl7_siu")
    (landing / "hl7_siu" / "gone.hl7").unlink()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    window = (now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    result = reprocess_files(warehouse, landing, "hl7_siu", window=window)
    assert [b.source_file for b in result.batches] == ["hl7_siu/day1.hl7"]
    assert result.missing == ("hl7_siu/gone.hl7",) and result.landed == 0
    empty = reprocess_files(
        warehouse,
        landing,
        "hl7_siu",
        window=(now - dt.timedelta(days=9), now - dt.timedelta(days=8)),
    )
    assert empty.batches == ()


def test_old_dead_letter_tables_gain_the_replay_columns(tmp_path: Path) -> None:
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute(
            """create table raw.dead_letters (
            dead_letter_key VARCHAR PRIMARY KEY, batch_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL, source_file VARCHAR NOT NULL, item_index BIGINT NOT NULL,
            error_class VARCHAR NOT NULL, reason VARCHAR NOT NULL, payload VARCHAR NOT NULL,
            parser_version VARCHAR NOT NULL, first_seen_at TIMESTAMP NOT NULL,
            last_seen_at TIMESTAMP NOT NULL, attempts INTEGER NOT NULL)"""
        )
        con.execute(
            "insert into raw.dead_letters values ('k', 'b', 'hl7_siu', 'f', 0, 'InvalidValue', "
            "'r', ?, '1.0.0', now()::timestamp, now()::timestamp, 1)",
            [BAD],
        )
        ensure_raw_schema(con)
        ensure_raw_schema(con)  # idempotent
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from (describe raw.dead_letters)"
            ).fetchall()
        ]
    assert columns[-3:] == ["resolved_at", "resolved_by_parser_version", "delivered_at"]
    result = redrive_dead_letters(warehouse, parser=FIXED)  # type: ignore[arg-type]
    assert (result.resolved, result.landed) == (1, 1)
