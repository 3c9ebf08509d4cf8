"""277CA reader: claim-level statuses and rejections inherited from higher HL levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conftest import interchange, transaction

from ingest.formats import x12_277
from ingest.records import ClaimStatus, DeadLetter

BODY = [
    "BHT*0085*08*277CA1*20260110*1200*TH",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*PAYER01",
    "TRN*1*T1",
    "DTP*050*D8*20260110",
    "DTP*009*D8*20260110",
    "HL*2*1*21*1",
    "NM1*41*2*HCOPS CLINIC*****46*SUB1",
    "TRN*2*BATCH1",
    "STC*A1:19:PR*20260110*WQ*230.00",
    "HL*3*2*19*1",
    "NM1*85*2*NORTH CLINIC*****XX*1111111111",
    "TRN*1*PROV1",
    "STC*A7:562:85*20260110*U*150.00",
    "HL*4*3*PT",
    "NM1*QC*1*DOE*JANE****MI*MEM001",
    "TRN*2*V1001",
    "STC*A7:562:85*20260110*U*100.00",
    "HL*5*3*PT",
    "NM1*QC*1*DOE*JOHN****MI*MEM003",
    "TRN*2*V1003",
    "DTP*472*D8*20260102",
    "HL*6*2*19*1",
    "NM1*85*2*SOUTH CLINIC*****XX*4444444444",
    "HL*7*6*PT",
    "NM1*QC*1*ROE*RICHARD****MI*MEM002",
    "TRN*2*V1002",
    "STC*A2:20*20260109*WQ*80.00******A1:19",
    "REF*1K*PAYERCLM999",
    "SVC*HC:99212*80.00",
    "STC*A3:21*20260109*U*80.00",
]


def _statuses(body: list[str] = BODY, version: str = "005010X214") -> list[object]:
    data = interchange(
        [transaction("277", "0001", body, version)],
        version,
        functional_id="HN",
        control="000000555",
        sender="CLEARINGHS",
    )
    return list(x12_277.parse(data, "ack.x12"))


def _key(s: ClaimStatus) -> tuple[object, ...]:
    return (s.claim_id, s.level, s.category_code, s.status_code, s.entity_code, s.charge_amount)


def test_claim_statuses_and_provider_level_rejection() -> None:
    items = _statuses()
    assert all(isinstance(i, ClaimStatus) for i in items)
    assert sorted(_key(s) for s in items) == sorted(
        [
            ("V1001", "claim", "A7", "562", "85", Decimal("100.00")),
            ("V1001", "provider", "A7", "562", "85", None),
            ("V1003", "provider", "A7", "562", "85", None),
            ("V1002", "claim", "A2", "20", None, Decimal("80.00")),
            ("V1002", "claim", "A1", "19", None, Decimal("80.00")),  # STC10
        ]
    )  # the line-level A3 after SVC is not a claim status; the receiver A1 is not a rejection


def test_common_fields() -> None:
    items = [i for i in _statuses() if isinstance(i, ClaimStatus)]
    assert {
        (
            s.payer_id,
            s.report_date,
            s.sender_id,
            s.interchange_control_number,
            s.transaction_control_number,
        )
        for s in items
    } == {
        ("PAYER01", dt.date(2026, 1, 10), "CLEARINGHS", "000000555", "0001"),
    }
    v1002 = [s for s in items if s.claim_id == "V1002"]
    assert {s.payer_claim_number for s in v1002} == {"PAYERCLM999"}
    assert {s.status_date for s in v1002} == {dt.date(2026, 1, 9)}


def test_receiver_level_rejection_reaches_every_claim() -> None:
    body = [seg.replace("STC*A1:19:PR", "STC*A3:24:41") for seg in BODY]
    receiver = [s for s in _statuses(body) if isinstance(s, ClaimStatus) and s.level == "receiver"]
    assert sorted(s.claim_id for s in receiver) == ["V1001", "V1002", "V1003"]
    assert {(s.category_code, s.status_code, s.entity_code) for s in receiver} == {
        ("A3", "24", "41")
    }


def test_rejection_without_claims_below_is_a_dead_letter() -> None:
    body = [*BODY[:9], "STC*A3:24:41*20260110*U*230.00"]
    (dead,) = _statuses(body)
    assert isinstance(dead, DeadLetter) and dead.error_class == "MissingSegment"
    assert "receiver-level rejection A3:24:41" in dead.reason and "STC*A3:24:41" in dead.payload


def test_claim_without_trn_is_a_dead_letter_others_land() -> None:
    body = [seg for seg in BODY if seg != "TRN*2*V1003"]
    items = _statuses(body)
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert len(dead) == 1 and "TRN02" in dead[0].reason and dead[0].error_class == "InvalidValue"
    assert len([i for i in items if isinstance(i, ClaimStatus)]) == 4


def test_claim_status_response_x212_is_unsupported() -> None:
    (dead,) = _statuses(BODY, "005010X212")
    assert isinstance(dead, DeadLetter) and dead.error_class == "UnsupportedTransaction"
    assert "005010X212" in dead.reason
