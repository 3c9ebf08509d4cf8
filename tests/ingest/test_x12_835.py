"""835 reader on a hand-written remittance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import random
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import compare_readings, interchange, transaction

from ingest.formats import x12_835
from ingest.formats._x12_common import AMOUNT_CACHE_SIZE, draft_type
from ingest.records import (
    DeadLetter,
    ProviderAdjustment,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittancePayment,
)
from ingest.x12 import Transaction, iter_transactions
from simulator.faults import FaultParams

BODY = [
    "BPR*I*120.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*98765*20260115",
    "TRN*1*EFT0001*1512345678",
    "DTM*405*20260114",
    "N1*PR*ACME HEALTH*XV*PAYER01",
    "REF*2U*ALTPAYER",
    "N1*PE*NORTH CLINIC*XX*1111111111",
    "REF*TJ*123456789",
    "LX*1",
    "CLP*V1001*1*150.00*125.00*20.00*12*PAYERCLM123*11*1",
    "NM1*QC*1*DOE*JANE****MI*MEM001",
    "MOA***MA01**N130",
    "DTM*232*20260102",
    "DTM*233*20260103",
    "SVC*HC:99213*100.00*95.00**1",
    "DTM*472*20260102",
    "CAS*CO*45*5.00",
    "REF*6R*V1001-1",
    "LQ*HE*N381",
    "SVC*HC:85025:QW*50.00*30.00**2",
    "DTM*472*20260103",
    "CAS*PR*2*15.00**1*5.00*1",
    "REF*6R*V1001-2",
    "CLP*V1002*4*80.00*0*0*12*PAYERCLM124*11*1",
    "CAS*CO*197*80.00",
    "NM1*QC*1*ROE*RICHARD****MI*MEM002",
    "MIA*0***80.00*MA130" + "*" * 15 + "N54",
    "SVC*HC:99212*80.00*0**1",
    "DTM*472*20260104",
    "LQ*HE*M62",
    "LQ*RX*70",
    "LQ*HE*N54",
    "PLB*1111111111*20261231*L6:INT01*-5.00*WO:OVP01*10.00",
]


def _parse(body: list[str] = BODY) -> list[object]:
    data = interchange(
        [transaction("835", "0001", body)],
        "005010X221A1",
        functional_id="HP",
        control="000000900",
        sender="PAYERSEND",
    )
    return list(x12_835.parse(data, "remit.x12"))


def _of(items: list[object], kind: type) -> list:
    return [i for i in items if isinstance(i, kind)]


def test_payment() -> None:
    (payment,) = _of(_parse(), RemittancePayment)
    assert payment == RemittancePayment(
        trace_number="EFT0001",
        payer_trace_id="1512345678",
        payment_amount=Decimal("120.00"),
        credit_debit_flag="C",
        payment_method="ACH",
        payment_date=dt.date(2026, 1, 15),
        production_date=dt.date(2026, 1, 14),
        payer_id="PAYER01",
        payer_name="ACME HEALTH",
        payee_npi="1111111111",
        payee_tax_id="123456789",
        claim_count=2,
        sender_id="PAYERSEND",
        interchange_control_number="000000900",
        transaction_control_number="0001",
        group_created_at=dt.datetime(2026, 1, 5, 12, 0),  # GS04 / GS05
    )


def test_payer_id_falls_back_to_ref_2u_then_trn03() -> None:
    body = [s.replace("*XV*PAYER01", "") for s in BODY]
    assert _of(_parse(body), RemittancePayment)[0].payer_id == "ALTPAYER"
    body = [s for s in body if not s.startswith("REF*2U")]
    assert _of(_parse(body), RemittancePayment)[0].payer_id == "1512345678"


def test_claims() -> None:
    paid, denied = _of(_parse(), RemittanceClaim)
    assert (paid.claim_id, paid.status_code, paid.charge_amount, paid.paid_amount) == (
        "V1001",
        "1",
        Decimal("150.00"),
        Decimal("125.00"),
    )
    assert (
        paid.patient_responsibility_amount,
        paid.payer_claim_control_number,
        paid.claim_index,
    ) == (
        Decimal("20.00"),
        "PAYERCLM123",
        1,
    )
    assert (paid.service_date_from, paid.service_date_to) == (
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
    )
    assert (paid.trace_number, paid.payer_id, paid.production_date, paid.payment_date) == (
        "EFT0001",
        "PAYER01",
        dt.date(2026, 1, 14),
        dt.date(2026, 1, 15),
    )
    assert (denied.claim_id, denied.status_code, denied.paid_amount, denied.claim_index) == (
        "V1002",
        "4",
        Decimal("0"),
        2,
    )
    # no DTM*232: the line dates give the service period
    assert (denied.service_date_from, denied.service_date_to) == (
        dt.date(2026, 1, 4),
        dt.date(2026, 1, 4),
    )


def test_lines() -> None:
    lines = _of(_parse(), RemittanceLine)
    assert [
        (
            ln.claim_id,
            ln.claim_index,
            ln.line_number,
            ln.procedure_code,
            ln.charge_amount,
            ln.paid_amount,
            ln.units,
            ln.service_date,
            ln.line_control_number,
        )
        for ln in lines
    ] == [
        (
            "V1001",
            1,
            1,
            "99213",
            Decimal("100.00"),
            Decimal("95.00"),
            Decimal("1"),
            dt.date(2026, 1, 2),
            "V1001-1",
        ),
        (
            "V1001",
            1,
            2,
            "85025",
            Decimal("50.00"),
            Decimal("30.00"),
            Decimal("2"),
            dt.date(2026, 1, 3),
            "V1001-2",
        ),
        (
            "V1002",
            2,
            1,
            "99212",
            Decimal("80.00"),
            Decimal("0"),
            Decimal("1"),
            dt.date(2026, 1, 4),
            None,
        ),
    ]


def test_remark_codes_of_lines_and_claims() -> None:
    """LQ*HE (not LQ*RX, NCPDP reject codes) on lines; MOA03..07 and MIA05 / MIA20..24 on
    claims; comma separated in segment order, None when there are none."""
    items = _parse()
    assert [ln.remark_codes for ln in _of(items, RemittanceLine)] == [
        "N381", None, "M62,N54"
    ]
    assert [c.remark_codes for c in _of(items, RemittanceClaim)] == ["MA01,N130", "MA130,N54"]


def test_adjustments_claim_and_line_level() -> None:
    adjustments = _of(_parse(), RemittanceAdjustment)
    assert [
        (
            a.claim_id,
            a.line_number,
            a.group_code,
            a.reason_code,
            a.amount,
            a.quantity,
            a.adjustment_index,
        )
        for a in adjustments
    ] == [
        ("V1001", 1, "CO", "45", Decimal("5.00"), None, 1),
        ("V1001", 2, "PR", "2", Decimal("15.00"), None, 1),
        ("V1001", 2, "PR", "1", Decimal("5.00"), Decimal("1"), 2),
        ("V1002", None, "CO", "197", Decimal("80.00"), None, 1),
    ]


def test_provider_adjustments_balance_the_payment() -> None:
    items = _parse()
    plb = _of(items, ProviderAdjustment)
    assert [
        (
            p.provider_id,
            p.fiscal_period_date,
            p.reason_code,
            p.reference_id,
            p.amount,
            p.adjustment_index,
        )
        for p in plb
    ] == [
        ("1111111111", dt.date(2026, 12, 31), "L6", "INT01", Decimal("-5.00"), 1),
        ("1111111111", dt.date(2026, 12, 31), "WO", "OVP01", Decimal("10.00"), 2),
    ]
    paid = sum(c.paid_amount for c in _of(items, RemittanceClaim))
    assert paid - sum(p.amount for p in plb) == _of(items, RemittancePayment)[0].payment_amount


def test_bad_claim_amount_is_a_claim_dead_letter() -> None:
    body = [s.replace("CLP*V1002*4*80.00", "CLP*V1002*4*8O.00") for s in BODY]
    items = _parse(body)
    (dead,) = _of(items, DeadLetter)
    assert (
        dead.error_class == "InvalidValue" and "CLP03" in dead.reason and "'8O.00'" in dead.reason
    )
    assert "claim #2 CLP01='V1002'" in dead.reason and dead.payload.startswith("CLP*V1002")
    assert [c.claim_id for c in _of(items, RemittanceClaim)] == ["V1001"]
    assert _of(items, RemittancePayment)[0].claim_count == 2


def test_missing_bpr_is_a_transaction_dead_letter() -> None:
    (dead,) = _parse(BODY[1:])
    assert (
        isinstance(dead, DeadLetter)
        and dead.error_class == "MissingSegment"
        and "BPR" in dead.reason
    )
    assert "ISA*00*" in dead.payload and "TRN*1*EFT0001" in dead.payload


def test_dead_letters_keep_the_good_transactions() -> None:
    good = transaction("835", "0001", BODY)
    truncated = transaction("835", "0002", BODY)[:-1]
    data = interchange([good, truncated], "005010X221A1")
    again = interchange([transaction("835", "0003", BODY)], "005010X221A1", control="000000901")
    wrong_separators = again[:106] + again[106:].replace(b"*", b"|")  # ISA says '*', body '|'
    garbage = b"\x00\x01\x02\xff\xfe" * 20
    last = interchange([transaction("835", "0004", BODY)], "005010X221A1", control="000000902")
    items = list(x12_835.parse(data + wrong_separators + garbage + b"~" + last, "mixed.x12"))
    dead = _of(items, DeadLetter)
    assert [
        (p.transaction_control_number, p.interchange_control_number)
        for p in _of(items, RemittancePayment)
    ] == [
        ("0001", "000000101"),
        ("0004", "000000902"),
    ]
    assert len(_of(items, RemittanceClaim)) == 4
    assert [d.error_class for d in dead] == ["Truncated", "EnvelopeError", "EncodingError"]
    assert "separator mismatch" in dead[1].reason and "'|'" in dead[1].reason
    assert "ST|835|0003" in dead[1].payload
    assert [d.offset for d in dead] == [1, 2, 2]


def test_unreadable_isa_dead_letters_the_file() -> None:
    data = interchange([transaction("835", "0001", BODY)], "005010X221A1")
    data = data.replace(b"SUBMITTER      ", b"SUBMITTER", 1)
    (dead,) = x12_835.parse(data, "short-isa.x12")
    assert isinstance(dead, DeadLetter) and dead.error_class == "EnvelopeError"
    assert "unreadable interchange header" in dead.reason and dead.payload.startswith("ISA*00")


def test_a_latin1_byte_dead_letters_its_transaction_only() -> None:
    """X12 text is ASCII: a transaction carrying a byte that is not UTF-8 (a sender's latin-1
    name) is an EncodingError dead letter; the file's other transactions land."""
    clean = interchange([transaction("835", "0001", BODY)], "005010X221A1")
    accented = interchange(
        [transaction("835", "0002", BODY)], "005010X221A1", control="000000903"
    ).replace(b"N1*PR*", b"N1*PR*PE\xd1A ", 1)
    assert b"\xd1" in accented
    items = list(x12_835.parse(clean + accented, "mixed.x12"))
    assert [p.transaction_control_number for p in _of(items, RemittancePayment)] == ["0001"]
    (dead,) = _of(items, DeadLetter)
    assert dead.error_class == "EncodingError" and "0xd1" in dead.reason
    assert "ST*835*0002" in dead.payload
    # the same accented text as UTF-8 is text, and lands
    utf8 = accented.replace(b"\xd1", "Ñ".encode())
    assert not _of(list(x12_835.parse(utf8, "utf8.x12")), DeadLetter)


def test_an_invalid_clp02_code_dead_letters_that_claim() -> None:
    items = _parse([s.replace("CLP*V1002*4*", "CLP*V1002*ZZ*") for s in BODY])
    (dead,) = _of(items, DeadLetter)
    assert dead.error_class == "InvalidValue" and "CLP02 claim status 'ZZ'" in dead.reason
    assert [c.claim_id for c in _of(items, RemittanceClaim)] == ["V1001"]


# -- the fast reading and the reference reading --------------------------------------------


def _mutated_bodies(count: int) -> list[list[str]]:
    """BODY with one element, segment id or segment changed: values the fast reading must
    either read exactly as the reference does or leave to it."""
    rng = random.Random("835-fast-reading")
    values = ["", " ", "12 ", " 12", "1.2.3", "NaN", "NaN5", "1E5", "-5", "+5", "1_000", ".5",
              "20260230", "2026013", "ABC", "HC", "HC:", ":X", "1", "4", "25", "99", "472", "150",
              "232", "233", "6R", "CO"]  # fmt: skip
    bodies = []
    for _ in range(count):
        body = list(BODY)
        k = rng.randrange(len(body))
        parts = body[k].split("*")
        kind = rng.randrange(4)
        if kind == 0 and len(parts) > 1:
            parts[rng.randrange(1, len(parts))] = rng.choice(values)
        elif kind == 1:
            parts = parts[: rng.randrange(1, len(parts) + 1)]
        elif kind == 2:
            parts[0] = rng.choice(["CLP", "SVC", "CAS", "DTM", "REF", "PLB", "TRN", "N1", "LX",
                                   "LQ", "MOA", "MIA"])
        else:
            body.insert(rng.randrange(len(body) + 1), body[rng.randrange(len(body))])
        if kind < 3:
            body[k] = "*".join(parts)
        bodies.append(body)
    return bodies


def test_the_fast_reading_reads_well_formed_transactions_itself(corpus_dir: Path) -> None:
    """No fallback on the sample, on a simulated network's remittances and on the public
    samples that land without dead letters: the speed of `make bench-ingest` is the speed
    of well-formed files."""
    data = interchange([transaction("835", "0001", BODY)], "005010X221A1")
    files = [data, *_simulated_835s()]
    files += [p.read_bytes() for p in sorted((corpus_dir / "x12_835").iterdir())]
    seen = compare_readings(x12_835, files)
    assert seen.clean_handed_over == 0 and seen.fast >= 30


def _mutated_files(count: int) -> list[bytes]:
    return [
        interchange([transaction("835", "0001", body)], "005010X221A1")
        for body in _mutated_bodies(count)
    ]


def test_both_readings_agree_on_every_mutation() -> None:
    """Whatever the input, `parse` gives what the plain two-pass reading gives: the fast
    reading either matches it or hands the transaction over."""
    seen = compare_readings(x12_835, _mutated_files(400))
    assert 40 < seen.handed_over < 400  # both paths ran


def test_amounts_kept_across_transactions_read_as_the_reference_reads_them() -> None:
    """`parse` keeps a file's amounts from one transaction to the next: an amount kept (odd
    ones like ` 12`, `1E5`, `NaN5` included) is the reference reading's, and one it
    rejects is never kept."""
    odd = [" 12", "1E5", "NaN5", "-5", "+5", ".5", "1_000", "12 ", "ABC", "NaN", "1.2.3", ""]
    places = ["CLP*V1001*1*150.00*125.00*{}*", "SVC*HC:99213*{}*", "CAS*CO*45*{}", "**1*{}*1"]
    files = []
    for value in odd:
        for place in places:
            old = place.replace("{}", _place_value(place))
            body = [s.replace(old, place.format(value), 1) for s in BODY]
            assert body != BODY, place
            files.append(interchange([transaction("835", "0001", body)], "005010X221A1"))
    amounts: dict[str, Decimal] = {}
    seen = compare_readings(x12_835, files + _mutated_files(400), amounts)
    assert seen.fast > 200 and seen.handed_over > 40
    assert {" 12", "1E5", "NaN5", "-5", "+5", ".5", "1_000", "150.00", "5.00"} <= amounts.keys()
    assert not {"12 ", "ABC", "NaN", "1.2.3", ""} & amounts.keys()
    assert all(repr(value) == repr(Decimal(text)) for text, value in amounts.items())


def _place_value(place: str) -> str:
    """The value BODY has at a place of the test above."""
    return {"CLP": "20.00", "SVC": "100.00", "CAS": "5.00", "**1": "5.00"}[place[:3]]


def test_kept_amounts_are_bounded() -> None:
    """A file of unique amounts: the kept ones are dropped between transactions once past
    the bound; every transaction still reads as the reference reads it."""
    claims = [f"CLP*V{i}*1*{i}.{i % 100:02d}*{i}.01**12*C{i}*11*1" for i in range(2500)]
    body = [*BODY[:8], *claims, *BODY[8:]]
    data = interchange(
        [transaction("835", "0001", body), transaction("835", "0002", BODY)], "005010X221A1"
    )
    amounts: dict[str, Decimal] = {}
    first, second = [t for t in iter_transactions(data) if isinstance(t, Transaction)]
    x12_835._read_fast(first, amounts)
    assert len(amounts) > AMOUNT_CACHE_SIZE
    x12_835._read_fast(second, amounts)
    assert "150.00" in amounts and len(amounts) < 20
    assert compare_readings(x12_835, [data], {}).fast == 2


def test_records_built_as_drafts_are_ordinary_frozen_records() -> None:
    items = _parse()
    kinds = {type(i) for i in items}
    assert kinds == {
        RemittancePayment,
        RemittanceClaim,
        RemittanceLine,
        RemittanceAdjustment,
        ProviderAdjustment,
    }
    for item in items:
        fields = dataclasses.asdict(item)
        assert type(item)(**fields) == item and hash(type(item)(**fields)) == hash(item)
        assert pickle.loads(pickle.dumps(item)) == item
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(item, dataclasses.fields(item)[0].name, "changed")


def test_draft_type_refuses_a_record_class_it_does_not_fit() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithHook:
        a: int

        def __post_init__(self) -> None:
            pass

    for record_type in (NoSlots, WithHook):
        with pytest.raises(TypeError):
            draft_type(record_type)


def test_a_header_segment_after_the_claims_is_read_as_before() -> None:
    """The reference reading lets a header segment after a PLB change the payment values of
    every claim; the fast reading hands such a transaction over."""
    body = [*BODY, "TRN*1*EFT0002*1512345678", "CLP*V1003*1*10*10**12*PAYERCLM125*11*1"]
    items = _parse(body)
    claims = _of(items, RemittanceClaim)
    assert [(c.claim_id, c.trace_number) for c in claims] == [
        ("V1001", "EFT0002"),
        ("V1002", "EFT0002"),
        ("V1003", "EFT0002"),
    ]
    assert {a.trace_number for a in _of(items, RemittanceAdjustment)} == {"EFT0002"}


def _simulated_835s() -> list[bytes]:
    from simulator.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, facilities=1, days=10, seed=3, faults=FaultParams.none())
        return [p.read_bytes() for p in sorted((out / "x12_835").glob("*.x12"))]
