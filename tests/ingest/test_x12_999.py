"""X12 999 / TA1 acknowledgments on hand-written files (the corpus holds none)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import interchange, isa, transaction

from ingest.formats import PARSERS, detect_source, x12_999
from ingest.landing import ensure_raw_schema, land_file
from ingest.records import (
    BatchAcknowledgment,
    DeadLetter,
    InterchangeAcknowledgment,
    TransactionSetAcknowledgment,
)

V = "005010X231A1"
ACCEPTED = [
    "AK1*HC*1*005010X222A1",
    "AK2*837*0001*005010X222A1",
    "IK5*A",
    "AK9*A*1*1*1",
]
PARTIAL = [
    "AK1*HC*2*005010X222A1",
    "AK2*837*0001*005010X222A1",
    "IK3*NM1*23*2010BB*8",
    "CTX*CLM01:PCN123",
    "IK4*9*67*7*XX",
    "IK5*R*5",
    "AK2*837*0002*005010X222A1",
    "IK5*A",
    "AK9*P*2*2*1",
]


def _ack(*bodies: list[str], control: str = "000000201") -> bytes:
    txns = [transaction("999", f"{i + 1:04d}", body, V) for i, body in enumerate(bodies)]
    return interchange(
        txns, V, functional_id="FA", control=control, gs06="201", sender="CLEARINGHOUSE"
    )


def test_accepted_batch() -> None:
    items = list(x12_999.parse(_ack(ACCEPTED), "a.999"))
    assert items == [
        TransactionSetAcknowledgment(
            functional_id="HC",
            acknowledged_group_control_number="1",
            acknowledged_transaction_set_id="837",
            acknowledged_transaction_control_number="0001",
            acknowledged_version="005010X222A1",
            status="A",
            error_codes=None,
            segment_errors=0,
            error_detail=None,
            sender_id="CLEARINGHOUSE",
            receiver_id="RECEIVER",
            report_date=dt.date(2026, 1, 5),
            interchange_control_number="000000201",
            group_control_number="201",
            transaction_control_number="0001",
            group_created_at=dt.datetime(2026, 1, 5, 12, 0),  # GS04 / GS05
        ),
        BatchAcknowledgment(
            functional_id="HC",
            acknowledged_group_control_number="1",
            acknowledged_version="005010X222A1",
            group_status="A",
            transaction_sets_included=1,
            transaction_sets_received=1,
            transaction_sets_accepted=1,
            group_error_codes=None,
            transaction_set_results="0001:A",
            sender_id="CLEARINGHOUSE",
            receiver_id="RECEIVER",
            report_date=dt.date(2026, 1, 5),
            interchange_control_number="000000201",
            group_control_number="201",
            transaction_control_number="0001",
            group_created_at=dt.datetime(2026, 1, 5, 12, 0),  # GS04 / GS05
        ),
    ]


def test_partially_accepted_batch_with_errors() -> None:
    *sets, batch = x12_999.parse(_ack(PARTIAL), "p.999")
    assert isinstance(batch, BatchAcknowledgment)
    assert (batch.group_status, batch.transaction_sets_accepted) == ("P", 1)
    assert batch.transaction_set_results == "0001:R,0002:A"
    rejected, accepted = sets
    assert isinstance(rejected, TransactionSetAcknowledgment)
    assert (rejected.status, rejected.error_codes, rejected.segment_errors) == ("R", "5", 1)
    assert rejected.error_detail == (
        "segment NM1 #23 in loop 2010BB: segment has data element errors; "
        "context CLM01:PCN123; element 9 (ref 67): invalid code value (value 'XX')"
    )
    assert isinstance(accepted, TransactionSetAcknowledgment) and accepted.status == "A"


def test_rejected_batch_without_ak2() -> None:
    body = ["AK1*HC*3*005010X222A1", "AK9*R*1*1*0*2"]
    (batch,) = x12_999.parse(_ack(body), "r.999")
    assert isinstance(batch, BatchAcknowledgment)
    assert (batch.group_status, batch.group_error_codes, batch.transaction_set_results) == (
        "R",
        "2",
        None,
    )


def test_ta1_interchange_acknowledgment() -> None:
    head = isa("000000301", "CLEARINGHOUSE")
    data = f"{head}~\nTA1*000000101*260105*1200*R*022~\nIEA*0*000000301~\n"
    assert detect_source(data.encode(), "x.ta1") == "x12_999"
    (ack,) = x12_999.parse(data.encode(), "x.ta1")
    assert ack == InterchangeAcknowledgment(
        acknowledged_interchange_control_number="000000101",
        acknowledged_interchange_date=dt.date(2026, 1, 5),
        acknowledged_interchange_time="1200",
        status="R",
        note_code="022",
        sender_id="CLEARINGHOUSE",
        receiver_id="RECEIVER",
        interchange_control_number="000000301",
    )


def test_ta1_together_with_a_999() -> None:
    text = _ack(ACCEPTED).decode()
    head, _, rest = text.partition("~\n")
    data = f"{head}~\nTA1*000000101*260105*1200*A*000~\n{rest}".encode()
    kinds = [item.kind for item in x12_999.parse(data, "both.999")]
    assert kinds == [
        "interchange_acknowledgment",
        "transaction_set_acknowledgment",
        "batch_acknowledgment",
    ]


@pytest.mark.parametrize(
    ("body", "error_class", "words"),
    [
        (["AK2*837*0001", "IK5*A", "AK9*A*1*1*1"], "MissingSegment", "no AK1"),
        (["AK1*HC*1", "AK2*837*0001", "IK5*A"], "MissingSegment", "no AK9"),
        (["AK1*HC*1", "AK9*Q*1*1*1"], "InvalidValue", "AK9-01 'Q'"),
        (["AK1*HC*1", "AK9*A*one*1*1"], "InvalidValue", "AK9-02 'one' is not a count"),
    ],
)
def test_bad_999_is_one_dead_letter(body: list[str], error_class: str, words: str) -> None:
    (dead,) = x12_999.parse(_ack(body), "bad.999")
    assert isinstance(dead, DeadLetter)
    assert dead.error_class == error_class and words in dead.reason
    assert dead.payload.startswith("ISA*") and "ST*999*0001" in dead.payload


def test_ak2_without_ik5_is_a_loop_dead_letter_the_rest_lands() -> None:
    body = ["AK1*HC*1", "AK2*837*0001", "AK2*837*0002", "IK5*A", "AK9*E*2*2*1"]
    items = list(x12_999.parse(_ack(body), "loop.999"))
    assert [i.kind for i in items] == [
        "dead_letter",
        "transaction_set_acknowledgment",
        "batch_acknowledgment",
    ]
    dead = items[0]
    assert isinstance(dead, DeadLetter) and "AK2 loop #1" in dead.reason
    assert dead.payload == "AK2*837*0001~"


def test_bad_ta1_and_not_a_999() -> None:
    data = f"{isa('000000301')}~TA1*000000101*260105*1200*Q*000~IEA*0*000000301~".encode()
    (dead,) = x12_999.parse(data, "x")
    assert isinstance(dead, DeadLetter) and "TA104 'Q'" in dead.reason
    claims = interchange([transaction("837", "0001", ["BHT*0019"])], "005010X222A1")
    (dead,) = x12_999.parse(claims, "x")
    assert isinstance(dead, DeadLetter) and dead.error_class == "UnsupportedTransaction"


def test_registered_detected_and_landed_once(tmp_path: Path) -> None:
    data = _ack(ACCEPTED, PARTIAL)
    assert detect_source(data, "f.x12") == "x12_999" and PARSERS["x12_999"] is x12_999
    path = tmp_path / "ack.x12"
    path.write_bytes(data)
    con = duckdb.connect()
    ensure_raw_schema(con)
    first = land_file(con, path, x12_999.SOURCE, x12_999.parse, x12_999.PARSER_VERSION)
    assert (first.received, first.landed, first.dead_lettered) == (5, 5, 0) and first.conserved
    copy = tmp_path / "ack-again.x12"
    copy.write_bytes(data)
    again = land_file(con, copy, x12_999.SOURCE, x12_999.parse, x12_999.PARSER_VERSION)
    assert (again.landed, again.duplicates) == (0, 5)
    rows = con.execute(
        "select acknowledged_group_control_number, group_status from raw.batch_acknowledgment "
        "order by 1"
    ).fetchall()
    assert rows == [("1", "A"), ("2", "P")]


def test_no_999_in_the_corpus_files_is_misread(corpus_dir: Path) -> None:
    """The corpus holds no 999 / TA1; make sure none of its X12 files is taken for one."""
    found = [
        p.name
        for folder in ("x12_837", "x12_277", "x12_835")
        for p in sorted((corpus_dir / folder).iterdir())
        if p.is_file() and detect_source(p.read_bytes(), p.name) == "x12_999"
    ]
    assert found == []
