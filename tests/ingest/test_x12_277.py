"""277CA reader: claim-level statuses and rejections inherited from higher HL levels; the
276 / 277 X212 claim status inquiry and response."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from conftest import interchange, transaction

from ingest.formats import detect_source, x12_277
from ingest.landing import ensure_raw_schema, land_bytes
from ingest.records import ClaimStatus, ClaimStatusInquiry, DeadLetter

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


def test_another_guide_is_unsupported() -> None:
    (dead,) = _statuses(BODY, "005010X999")
    assert isinstance(dead, DeadLetter) and dead.error_class == "UnsupportedTransaction"
    assert "005010X999" in dead.reason and "X212" in dead.reason


# -- 276 / 277 claim status inquiry and response (005010X212) --------------------------------

HEAD_X212 = [
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*PAYER01",
    "HL*2*1*21*1",
    "NM1*41*2*HCOPS BILLING*****46*SUB1",
]
RESPONSE = [
    "BHT*0010*08*277X212*20260120*0810*DG",
    *HEAD_X212,
    "TRN*2*INQ-BATCH-7",
    "STC*E1:0*20260120",
    "HL*3*2*19*1",
    "NM1*1P*2*NORTH CLINIC*****XX*1111111111",
    "HL*4*3*22*0",
    "NM1*IL*1*DOE*JANE****MI*MEM001",
    "TRN*2*T-V1001",
    "STC*F1:65*20260118**230.00*180.00*20260117**20260119*EFT778*F1:107",
    "REF*1K*PAYERCLM1",
    "REF*EJ*V1001",
    "DTP*472*RD8*20260105-20260106",
    "SVC*HC:99213*150.00*100.00****1",
    "STC*F1:65*20260118",
    "DTP*472*D8*20260105",
    "SVC*HC:85025*80.00*80.00****1",
    "STC*F1:65*20260118",
    "HL*5*3*22*0",
    "NM1*IL*1*ROE*RICHARD****MI*MEM002",
    "TRN*2*T-V1002",
    "STC*P1:20*20260118**80.00",
    "REF*EJ*V1002",
    "HL*6*2*19*0",
    "NM1*1P*2*UNKNOWN CLINIC*****XX*9999999999",
    "TRN*1*PROV-TRACE",
    "STC*E0:24:1P*20260120",
]
REQUEST = [
    "BHT*0010*13*INQ-BATCH-7*20260119*1425",
    *HEAD_X212,
    "HL*3*2*19*1",
    "NM1*1P*2*NORTH CLINIC*****XX*1111111111",
    "HL*4*3*22*0",
    "DMG*D8*19700101*F",
    "NM1*IL*1*DOE*JANE****MI*MEM001",
    "TRN*1*T-V1001",
    "REF*EJ*V1001",
    "AMT*T3*230.00",
    "DTP*472*RD8*20260105-20260106",
    "SVC*HC:99213*150.00*****1",
    "DTP*472*D8*20260105",
]


def _x212(st01: str, body: list[str], control: str = "000000777") -> list[object]:
    data = interchange(
        [transaction(st01, "0001", body, "005010X212")],
        "005010X212",
        functional_id="HN" if st01 == "277" else "HR",
        control=control,
        sender="PAYERGW",
    )
    return list(x12_277.parse(data, "status.x12"))


def _row(r: ClaimStatusInquiry) -> tuple[object, ...]:
    return (r.level, r.trace_number, r.line_number, r.category_code, r.status_code, r.entity_code)


def test_277_x212_statuses_at_every_level() -> None:
    items = _x212("277", RESPONSE)
    assert all(isinstance(i, ClaimStatusInquiry) for i in items)
    assert [_row(r) for r in items] == [  # type: ignore[arg-type]
        ("receiver", "INQ-BATCH-7", None, "E1", "0", None),
        ("claim", "T-V1001", None, "F1", "65", None),
        ("claim", "T-V1001", None, "F1", "107", None),  # STC10
        ("line", "T-V1001", 1, "F1", "65", None),
        ("line", "T-V1001", 2, "F1", "65", None),
        ("claim", "T-V1002", None, "P1", "20", None),
        ("provider", "PROV-TRACE", None, "E0", "24", "1P"),  # about the provider only
    ]
    claim, line = items[1], items[3]
    assert isinstance(claim, ClaimStatusInquiry) and isinstance(line, ClaimStatusInquiry)
    assert (claim.patient_account_number, claim.payer_claim_number) == ("V1001", "PAYERCLM1")
    assert (claim.charge_amount, claim.paid_amount) == (Decimal("230.00"), Decimal("180.00"))
    assert (claim.adjudication_date, claim.payment_date, claim.check_number) == (
        dt.date(2026, 1, 17),
        dt.date(2026, 1, 19),
        "EFT778",
    )
    assert (claim.service_date_from, claim.service_date_to) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 6),
    )
    assert (line.procedure_code, line.charge_amount, line.paid_amount) == (
        "99213",
        Decimal("150.00"),
        Decimal("100.00"),
    )
    assert line.service_date_from == dt.date(2026, 1, 5) and line.patient_account_number == "V1001"
    assert {(r.payer_id, r.report_date, r.transaction_set_id) for r in items} == {  # type: ignore[attr-defined]
        ("PAYER01", dt.date(2026, 1, 20), "277")
    }
    providers = {r.level: r.provider_id for r in items}  # type: ignore[attr-defined]
    assert providers == {
        "receiver": None,
        "claim": "1111111111",
        "line": "1111111111",
        "provider": "9999999999",
    }


def test_276_request_one_record_per_claim_and_line() -> None:
    claim, line = _x212("276", REQUEST)
    assert isinstance(claim, ClaimStatusInquiry) and isinstance(line, ClaimStatusInquiry)
    assert _row(claim) == ("claim", "T-V1001", None, None, None, None)
    assert (claim.transaction_set_id, claim.patient_account_number) == ("276", "V1001")
    assert (claim.charge_amount, claim.report_date) == (Decimal("230.00"), dt.date(2026, 1, 19))
    assert _row(line) == ("line", "T-V1001", 1, None, None, None)
    assert (line.procedure_code, line.charge_amount) == ("99213", Decimal("150.00"))
    assert detect_source(interchange([transaction("276", "1", REQUEST)], "005010X212"), "x") == (
        "x12_277"
    )


def test_x212_bad_loops_dead_letter_and_the_others_land() -> None:
    body = [s for s in RESPONSE if s not in ("STC*P1:20*20260118**80.00", "TRN*1*PROV-TRACE")]
    items = _x212("277", body)
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [(d.error_class, d.reason.split(";")[0]) for d in dead] == [
        ("MissingSegment", "claim loop HL*5: claim has no STC status"),
        ("InvalidValue", "provider loop HL*6: TRN02 trace of the provider status is missing"),
    ]
    assert "TRN*2*T-V1002" in dead[0].payload and "ST02='0001'" in dead[0].reason
    assert len([i for i in items if isinstance(i, ClaimStatusInquiry)]) == 5
    second_line = RESPONSE.index("SVC*HC:85025*80.00*80.00****1")
    no_line_status = RESPONSE[: second_line + 1] + RESPONSE[second_line + 2 :]
    (dead_line,) = [i for i in _x212("277", no_line_status) if isinstance(i, DeadLetter)]
    assert "service line 2 has no STC status" in dead_line.reason
    (status_in_request,) = _x212("276", [*REQUEST[:6], "TRN*2*X", "STC*E0:0*20260120"])
    assert isinstance(status_in_request, DeadLetter)
    assert "a request carries no status" in status_in_request.reason


def test_x212_lands_once() -> None:
    con = duckdb.connect()
    ensure_raw_schema(con)
    data = interchange([transaction("277", "0001", RESPONSE, "005010X212")], "005010X212")
    args = (x12_277.SOURCE, x12_277.parse, x12_277.PARSER_VERSION)
    first = land_bytes(con, data, *args, "a.x12")
    again = land_bytes(con, data, *args, "b.x12")  # the same file under another name
    assert (first.landed, first.duplicates, again.landed, again.duplicates) == (7, 0, 0, 7)
    rows = con.execute("select count(*) from raw.claim_status_inquiry").fetchone()
    assert rows == (7,)
