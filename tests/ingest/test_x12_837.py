"""837P / 837I reader on hand-written transactions."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import compare_readings, interchange, transaction

from ingest.formats import x12_837
from ingest.records import ClaimServiceLine, ClaimSubmission, DeadLetter
from simulator.faults import FaultParams

HEADER = [
    "BHT*0019*00*BATCH1*20260105*1200*CH",
    "NM1*41*2*HCOPS CLINIC*****46*SUB1",
    "NM1*40*2*CLEARINGHOUSE*****46*CH1",
    "HL*1**20*1",
    "NM1*85*2*NORTH CLINIC*****XX*1111111111",
]
ORIGINAL_CLAIM = [
    "HL*2*1*22*0",
    "SBR*P*18*******CI",
    "NM1*IL*1*DOE*JANE****MI*MEM001",
    "NM1*PR*2*ACME HEALTH*****PI*PAYER01",
    "CLM*V1001*150.00***11:B:1*Y*A*Y*Y",
    "HI*ABK:J069",
    "NM1*82*1*SMITH*JOHN****XX*2222222222",
    "NM1*77*2*NORTH SITE*****XX*3333333333",
    "LX*1",
    "SV1*HC:99213*100.00*UN*1***1",
    "DTP*472*D8*20260102",
    "REF*6R*V1001-1",
    "LX*2",
    "SV1*HC:85025:QW*50.00*UN*2***1",
    "DTP*472*D8*20260103",
    "REF*6R*V1001-2",
    "NM1*82*1*LINE*RENDERER****XX*9999999999",
]
REPLACEMENT_CLAIM = [  # a secondary claim of a patient (HL 23) under subscriber HL 3
    "HL*3*1*22*1",
    "SBR*S*01*******CI",
    "NM1*IL*1*ROE*RICHARD****MI*MEM002",
    "NM1*PR*2*BETA CARE*****PI*PAYER02",
    "HL*4*3*23*0",
    "PAT*19",
    "NM1*QC*1*ROE*JUNIOR",
    "CLM*V1002*80.00***11:B:7*Y*A*Y*Y",
    "REF*F8*PAYERCLM123",
    "SBR*P*18*******CI",
    "NM1*IL*1*ROE*RICHARD****MI*OTHERMEM",
    "NM1*PR*2*OTHER PAYER*****PI*OTHER01",
    "REF*F8*NOT-THE-ORIGINAL",
    "LX*1",
    "SV1*HC:99212*80.00*UN*1***1",
    "DTP*472*RD8*20260104-20260106",
]


def _parse(body: list[str], version: str = "005010X222A1") -> list[object]:
    data = interchange(
        [transaction("837", "0001", body, version)],
        version,
        control="000000123",
        gs06="77",
        sender="BILLER01",
    )
    return list(x12_837.parse(data, "batch.x12"))


def test_two_claims_and_a_replacement() -> None:
    items = _parse(HEADER + ORIGINAL_CLAIM + REPLACEMENT_CLAIM)
    claims = [i for i in items if isinstance(i, ClaimSubmission)]
    lines = [i for i in items if isinstance(i, ClaimServiceLine)]
    assert [c.claim_id for c in claims] == ["V1001", "V1002"]
    assert len(lines) == 3 and not [i for i in items if isinstance(i, DeadLetter)]

    first, second = claims
    assert first.charge_amount == Decimal("150.00")
    assert (first.place_of_service, first.facility_code_qualifier, first.frequency_code) == (
        "11",
        "B",
        "1",
    )
    assert (first.payer_responsibility, first.payer_id, first.payer_name) == (
        "P",
        "PAYER01",
        "ACME HEALTH",
    )
    assert (first.billing_npi, first.rendering_npi, first.facility_npi) == (
        "1111111111",
        "2222222222",
        "3333333333",
    )
    assert first.subscriber_id == "MEM001" and first.original_payer_claim_number is None
    assert (first.service_date_from, first.service_date_to) == (
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
    )
    assert first.line_count == 2 and first.submission_date == dt.date(2026, 1, 5)
    assert (first.transaction_type, first.sender_id) == ("005010X222A1", "BILLER01")
    assert (first.interchange_control_number, first.group_control_number) == ("000000123", "77")
    assert first.transaction_control_number == "0001"

    # replacement: REF*F8 of the claim (not of the 2330B other payer), payer of its own
    # subscriber loop (not the 2330B other payer), facility falls back to the billing NPI
    assert (second.frequency_code, second.original_payer_claim_number) == ("7", "PAYERCLM123")
    assert (second.payer_responsibility, second.payer_id, second.subscriber_id) == (
        "S",
        "PAYER02",
        "MEM002",
    )
    assert (second.facility_npi, second.rendering_npi) == ("1111111111", None)
    assert (second.service_date_from, second.service_date_to) == (
        dt.date(2026, 1, 4),
        dt.date(2026, 1, 6),
    )


def test_service_lines() -> None:
    items = _parse(HEADER + ORIGINAL_CLAIM + REPLACEMENT_CLAIM)
    lines = [i for i in items if isinstance(i, ClaimServiceLine)]
    assert [
        (ln.claim_id, ln.line_number, ln.procedure_code, ln.charge_amount, ln.units) for ln in lines
    ] == [
        ("V1001", 1, "99213", Decimal("100.00"), Decimal("1")),
        ("V1001", 2, "85025", Decimal("50.00"), Decimal("2")),
        ("V1002", 1, "99212", Decimal("80.00"), Decimal("1")),
    ]
    assert [ln.line_control_number for ln in lines] == ["V1001-1", "V1001-2", None]
    assert [ln.service_date for ln in lines] == [
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
        dt.date(2026, 1, 4),
    ]
    assert [(ln.payer_id, ln.frequency_code) for ln in lines] == [
        ("PAYER01", "1"),
        ("PAYER01", "1"),
        ("PAYER02", "7"),
    ]


def test_institutional_claim_sv2_and_statement_dates() -> None:
    body = [
        *HEADER,
        "HL*2*1*22*0",
        "SBR*P*18*******MB",
        "NM1*IL*1*DOE*JOHN****MI*MEM009",
        "NM1*PR*2*MEDICARE*****PI*MCR01",
        "CLM*I2001*89.93***13:A:1**A*Y*Y",
        "DTP*434*RD8*20260101-20260103",
        "NM1*77*2*SITE*****XX*5555555555",
        "LX*1",
        "SV2*0305*HC:85025*13.39*UN*1",
        "LX*2",
        "SV2*0730**76.54*UN*3",
    ]
    items = _parse(body, "005010X223A2")
    claim = items[0]
    assert isinstance(claim, ClaimSubmission)
    assert (claim.facility_code_qualifier, claim.place_of_service, claim.facility_npi) == (
        "A",
        "13",
        "5555555555",
    )
    assert (claim.service_date_from, claim.service_date_to) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 3),
    )
    assert claim.transaction_type == "005010X223A2"
    lines = items[1:]
    assert [(ln.revenue_code, ln.procedure_code, ln.charge_amount, ln.units) for ln in lines] == [
        ("0305", "85025", Decimal("13.39"), Decimal("1")),
        ("0730", None, Decimal("76.54"), Decimal("3")),
    ]


def test_a_bad_claim_is_one_dead_letter_and_the_other_claim_lands() -> None:
    bad = [seg.replace("11:B:7", "11>B>7") for seg in REPLACEMENT_CLAIM]
    items = _parse(HEADER + ORIGINAL_CLAIM + bad)
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [i.claim_id for i in items if isinstance(i, ClaimSubmission)] == ["V1001"]
    assert len(dead) == 1
    assert dead[0].error_class == "InvalidValue" and dead[0].source == "x12_837"
    assert "CLM01='V1002'" in dead[0].reason and "separator mismatch" in dead[0].reason
    assert dead[0].payload.startswith("CLM*V1002*80.00") and dead[0].offset == 0


def test_not_an_837_is_unsupported() -> None:
    data = interchange([transaction("835", "1", ["BPR*I*0*C*NON"])], "005010X221A1")
    (dead,) = x12_837.parse(data, "x.x12")
    assert isinstance(dead, DeadLetter) and dead.error_class == "UnsupportedTransaction"
    assert "'835'" in dead.reason


def test_an_invalid_bht02_code_dead_letters_the_transaction() -> None:
    header = [s.replace("BHT*0019*00*", "BHT*0019*ZZ*") for s in HEADER]
    (dead,) = _parse([*header, *ORIGINAL_CLAIM])
    assert isinstance(dead, DeadLetter) and dead.error_class == "InvalidValue"
    assert "BHT02 transaction set purpose 'ZZ' is not a valid code (00, 18)" in dead.reason


# -- the fast reading and the reference reading --------------------------------------------


def _data(body: list[str]) -> bytes:
    return interchange([transaction("837", "0001", body, "005010X222A1")], "005010X222A1")


def test_the_fast_reading_reads_well_formed_transactions_itself(corpus_dir: Path) -> None:
    """No fallback on the samples here, on a simulated network's claims and on the public
    samples that land without dead letters: the speed of `make bench-ingest` is the speed
    of well-formed files."""
    files = [_data(HEADER + ORIGINAL_CLAIM + REPLACEMENT_CLAIM), *_simulated_837s()]
    files += [p.read_bytes() for p in sorted((corpus_dir / "x12_837").iterdir())]
    seen = compare_readings(x12_837, files)
    assert seen.clean_handed_over == 0 and seen.fast >= 30


def _mutated_files(count: int) -> list[bytes]:
    rng = random.Random("837-fast-reading")
    values = ["", " ", "12 ", "1.2.3", "NaN", "1E5", "-5", "20260230", "20260101-20260105",
              "-20260101", "ABC", "HC", "HC:", "11:B", "11:B:1", "11::7", "1", "2", "X", "P",
              "00", "18", "472", "434", "6R", "F8", "82", "77", "85", "PR", "IL"]  # fmt: skip
    ids = ["HL", "CLM", "LX", "SV1", "SV2", "DTP", "REF", "NM1", "SBR", "BHT", "N3", "SE"]
    base = HEADER + ORIGINAL_CLAIM + REPLACEMENT_CLAIM
    files = []
    for _ in range(count):
        body = list(base)
        k = rng.randrange(len(body))
        parts = body[k].split("*")
        kind = rng.randrange(4)
        if kind == 0 and len(parts) > 1:
            parts[rng.randrange(1, len(parts))] = rng.choice(values)
        elif kind == 1:
            parts = parts[: rng.randrange(1, len(parts) + 1)]
        elif kind == 2:
            parts[0] = rng.choice(ids)
        else:
            body.insert(rng.randrange(len(body) + 1), body[rng.randrange(len(body))])
        if kind < 3:
            body[k] = "*".join(parts)
        files.append(_data(body))
    return files


def test_both_readings_agree_on_every_mutation() -> None:
    """Whatever the input, `parse` gives what the plain reading gives: the fast reading either
    matches it or hands the transaction over; also with the file's amounts kept from one
    transaction to the next, as `parse` keeps them."""
    seen = compare_readings(x12_837, _mutated_files(400))
    assert 40 < seen.handed_over < 400  # both paths ran
    amounts: dict[str, Decimal] = {}
    assert compare_readings(x12_837, _mutated_files(400), amounts) == seen
    odd = [" 12", "1E5", "NaN5", "-5", ".5", "1_000", "12 ", "ABC", "NaN", "1.2.3", ""]
    places = ["CLM*V1001*{}*", "SV1*HC:99213*{}*", "*UN*{}*"]  # CLM02, SV102, SV104
    files = []
    for value in odd:
        for place in places:
            old = place.format({"C": "150.00", "S": "100.00", "*": "1"}[place[0]])
            body = [s.replace(old, place.format(value), 1) for s in HEADER + ORIGINAL_CLAIM]
            assert body != HEADER + ORIGINAL_CLAIM, place
            files.append(_data(body))
    compare_readings(x12_837, files, amounts)
    assert {" 12", "1E5", "NaN5", "-5", ".5", "1_000", "150.00", "100.00"} <= amounts.keys()
    assert not {"12 ", "ABC", "NaN", "1.2.3", ""} & amounts.keys()
    assert all(repr(value) == repr(Decimal(text)) for text, value in amounts.items())


def _simulated_837s() -> list[bytes]:
    from simulator.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, facilities=1, days=10, seed=3, faults=FaultParams.none())
        return [p.read_bytes() for p in sorted((out / "x12_837").glob("*.x12"))]
