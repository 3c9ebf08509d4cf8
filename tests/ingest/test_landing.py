"""Landing parsed files into DuckDB: idempotent, conserved."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import interchange, transaction
from test_x12_835 import BODY as REMIT
from test_x12_837 import HEADER, ORIGINAL_CLAIM, REPLACEMENT_CLAIM

from ingest.formats import x12_835, x12_837
from ingest.landing import ensure_raw_schema, land_file


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_raw_schema(connection)
    return connection


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_landing_twice_adds_nothing_and_is_conserved(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = transaction("835", "0001", REMIT)
    resent = transaction("835", "0002", REMIT)  # same payment under a new control number
    truncated = transaction("835", "0003", REMIT)[:-1]
    path = tmp_path / "remit.x12"
    path.write_bytes(interchange([good, resent, truncated], "005010X221A1"))

    first = land_file(con, path, x12_835.SOURCE, x12_835.parse, x12_835.PARSER_VERSION)
    assert first.conserved and not first.skipped
    assert first.received == first.landed + first.duplicates + first.dead_lettered
    assert (first.dead_lettered, first.duplicates) == (1, 12)  # the resent payment dedupes
    assert _count(con, "remittance_claim") == 2 and _count(con, "remittance_payment") == 1
    assert _count(con, "dead_letters") == 1
    row = con.execute("SELECT error_class, item_index FROM raw.dead_letters").fetchone()
    assert row == ("Truncated", 24)

    tables = (
        "remittance_payment",
        "remittance_claim",
        "remittance_line",
        "remittance_adjustment",
        "provider_adjustment",
        "dead_letters",
    )
    before = {t: _count(con, t) for t in tables}
    second = land_file(con, path, x12_835.SOURCE, x12_835.parse, x12_835.PARSER_VERSION)
    assert second.skipped and {t: _count(con, t) for t in tables} == before

    copy = tmp_path / "remit-copy.x12"  # same content under another name: all duplicates
    copy.write_bytes(path.read_bytes())
    third = land_file(con, copy, x12_835.SOURCE, x12_835.parse, x12_835.PARSER_VERSION)
    assert (
        third.conserved
        and third.landed == 0
        and third.duplicates == first.landed + first.duplicates
    )
    assert {t: _count(con, t) for t in tables if t != "dead_letters"} == {
        t: v for t, v in before.items() if t != "dead_letters"
    }


def test_landing_claims(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "claims.x12"
    body = HEADER + ORIGINAL_CLAIM + REPLACEMENT_CLAIM
    path.write_bytes(
        interchange([transaction("837", "0001", body, "005010X222A1")], "005010X222A1")
    )
    result = land_file(con, path, x12_837.SOURCE, x12_837.parse, x12_837.PARSER_VERSION)
    assert result.conserved and (result.received, result.landed) == (5, 5)
    rows = con.execute(
        "SELECT claim_id, frequency_code, charge_amount, original_payer_claim_number "
        "FROM raw.claim_submission ORDER BY claim_id"
    ).fetchall()
    assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [
        ("V1001", "1", "150.00", None),
        ("V1002", "7", "80.00", "PAYERCLM123"),
    ]


def test_landing_corpus_file(con: duckdb.DuckDBPyConnection, corpus_dir: Path) -> None:
    path = corpus_dir / "x12_835" / "hdi__835-provider-level-adjustment.dat"
    result = land_file(con, path, x12_835.SOURCE, x12_835.parse, x12_835.PARSER_VERSION)
    assert result.conserved and (result.received, result.landed, result.dead_lettered) == (
        12,
        12,
        0,
    )
    assert (_count(con, "remittance_payment"), _count(con, "provider_adjustment")) == (3, 6)
