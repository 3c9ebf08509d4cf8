"""Landing parsed files into DuckDB: idempotent, conserved, messages received counted."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import interchange, transaction
from test_bai2 import ACCOUNT_1, ACCOUNT_2, bai2_file
from test_fhir_appointment import appointment
from test_hl7_siu import S12, _file, _message
from test_x12_835 import BODY as REMIT
from test_x12_837 import HEADER, ORIGINAL_CLAIM, REPLACEMENT_CLAIM

from ingest.formats import PARSERS, x12_835, x12_837
from ingest.landing import BatchResult, ensure_raw_schema, land_bytes, land_file


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
    assert first.messages_received == 3  # three transaction sets, the truncated one included
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
    assert second.messages_received == 0  # a re-run of the landing: nothing arrived

    copy = tmp_path / "remit-copy.x12"  # same content under another name: all duplicates
    copy.write_bytes(path.read_bytes())
    third = land_file(con, copy, x12_835.SOURCE, x12_835.parse, x12_835.PARSER_VERSION)
    assert (
        third.conserved
        and third.landed == 0
        and third.duplicates == first.landed + first.duplicates
    )
    assert third.messages_received == 3  # a re-delivery lands nothing but delivered messages
    assert con.execute(
        "SELECT source_file, received, messages_received FROM raw.landing_batches ORDER BY 1"
    ).fetchall() == [(str(copy), first.received, 3), (str(path), first.received, 3)]
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
    assert result.messages_received == 1  # one 837 transaction: 2 claims, 3 lines
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
    assert result.messages_received == 3  # three ST..SE, one payment each


def _land(con: duckdb.DuckDBPyConnection, source: str, data: bytes, name: str) -> BatchResult:
    parser = PARSERS[source]
    return land_bytes(con, data, source, parser.parse, parser.PARSER_VERSION, name)


def _ndjson(*resources: object) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in resources).encode()


BOOKED = appointment("1", "booked", "2026-01-09T08:20:46-05:00")
ARRIVED = appointment("2", "arrived", "2026-01-15T16:10:00-05:00")  # + its implied booking
BUNDLE = {"resourceType": "Bundle", "type": "searchset",
          "entry": [{"resource": BOOKED}, {"resource": ARRIVED}]}  # fmt: skip


@pytest.mark.parametrize(
    ("source", "data", "items", "dead", "messages"),
    [
        # HL7: one item per message; the second has no SCH (a dead letter, still received)
        ("hl7_siu", _file(S12, _message(S12, MSG0001="MSG0002")[:1]), 2, 1, 2),
        # NDJSON: one message per line; a later version lands its implied booking too
        ("fhir", _ndjson(BOOKED, ARRIVED, "{not json"), 4, 1, 3),
        ("fhir", json.dumps(BUNDLE).encode(), 3, 0, 2),  # a Bundle page: its entries
        ("fhir", json.dumps(BUNDLE, indent=2).encode(), 3, 0, 2),  # pretty-printed too
        # BAI2: the file is one transmission, one deposit per detail
        ("bai2", bai2_file(ACCOUNT_1, ACCOUNT_2), 6, 0, 1),
        # X12 without an interchange header: one dead letter, one message
        ("x12_837", b"ST*837*0001~BHT*0019~SE*3*0001~", 1, 1, 1),
    ],
)
def test_messages_received_per_format(
    con: duckdb.DuckDBPyConnection,
    source: str,
    data: bytes,
    items: int,
    dead: int,
    messages: int,
) -> None:
    """Items are what the parse makes of a payload; messages are what arrived in it."""
    result = _land(con, source, data, f"{source}/a")
    assert (result.received, result.dead_lettered, result.messages_received) == (
        items,
        dead,
        messages,
    )
    assert result.conserved
    again = _land(con, source, data, f"{source}/a_dup")  # byte-identical, another name
    assert (again.landed, again.messages_received) == (0, messages)


def test_an_old_batch_table_gains_the_message_count(tmp_path: Path) -> None:
    """A warehouse made before the column: ensure_raw_schema adds it (null in older rows)."""
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        _land(con, "hl7_siu", _file(S12), "hl7_siu/old.hl7")
        con.execute("ALTER TABLE raw.landing_batches DROP COLUMN messages_received")
        ensure_raw_schema(con)
        _land(con, "hl7_siu", _file(_message(S12, MSG0001="MSG0002")), "hl7_siu/new.hl7")
        rows = con.execute(
            "SELECT source_file, messages_received FROM raw.landing_batches ORDER BY 1"
        ).fetchall()
    assert rows == [("hl7_siu/new.hl7", 1), ("hl7_siu/old.hl7", None)]


def test_an_old_record_table_gains_new_record_fields(tmp_path: Path) -> None:
    """A raw table made by an older record version (here an 837 claim table without GS04 /
    GS05, decision 0031): ensure_raw_schema adds the field and newer records land in it."""
    warehouse = tmp_path / "old.duckdb"
    claims = interchange([transaction("837", "0001", HEADER + ORIGINAL_CLAIM, "005010X222A1")],
                         "005010X222A1")
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        con.execute("ALTER TABLE raw.claim_submission DROP COLUMN group_created_at")
        ensure_raw_schema(con)
        result = land_bytes(
            con, claims, x12_837.SOURCE, x12_837.parse, x12_837.PARSER_VERSION, "x12_837/a.x12"
        )
        rows = con.execute(
            "SELECT claim_id, group_created_at IS NOT NULL FROM raw.claim_submission"
        ).fetchall()
    assert result.conserved and result.landed == 3  # the claim and its two lines
    assert rows == [("V1001", True)]
