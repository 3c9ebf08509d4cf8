"""X12 835 remittance advice (005010X221A1) -> RemittancePayment, RemittanceClaim,
RemittanceLine, RemittanceAdjustment, ProviderAdjustment.

One payment per transaction (BPR / TRN / DTM*405 / N1*PR / N1*PE), one claim per CLP
(`claim_index` 1-based within the transaction), one line per SVC (`line_number` 1-based within
the claim), one adjustment per CAS group / reason / amount / quantity triplet (claim level:
`line_number` None), one provider adjustment per PLB reason / amount pair. A claim with a bad
value is one dead letter (its CLP loop as payload); the transaction's other claims land.

Two readings of a transaction (docs/decisions/0012): `_read_fast`, one pass that builds the
records as the segments come, for transactions where every value is well formed; at anything
else (a bad or missing value, a header segment after the claims) it gives up and
`_read_reference`, the plain two-pass reading with every check, reads the transaction and
names the problem. Both give the same records (tests/ingest/test_x12_835.py compares them).
The fast reading keeps the file's amounts as it reads them (`_x12_common.kept_amounts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest.formats._x12_common import (
    NUMBER_END,
    draft_type,
    expect_transaction,
    kept_amounts,
    loop_dead_letter,
    read_x12,
    require,
)
from ingest.formats._x12_group_time import group_created_at
from ingest.records import (
    DeadLetter,
    ProviderAdjustment,
    Record,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittancePayment,
)
from ingest.x12 import (
    Envelope,
    Transaction,
    X12ValueError,
    coded,
    element,
    opt_decimal,
    parse_date,
    to_date,
    to_decimal,
)

SOURCE = "x12_835"
_BPR01_HANDLING = frozenset({"C", "D", "H", "I", "P", "U", "X"})
# claim status codes of 005010X221A1 CLP02
_CLP02_STATUSES = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})
PARSER_VERSION = "1.0.0"


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Records of an 835 file; bad transactions / claims as dead letters. Never raises."""
    return read_x12(SOURCE, data, _accept, _file_reader())


def _file_reader() -> Callable[[Transaction], list[Record | DeadLetter]]:
    """The transaction reader of one file: it keeps the file's amounts (`kept_amounts`)."""
    amounts: dict[str, Decimal] = {}
    return lambda txn: _read_transaction(txn, amounts)


def _accept(envelope: Envelope) -> str | None:
    return expect_transaction(envelope, "835", "835 remittance advice", ())


def _read_transaction(
    txn: Transaction, amounts: dict[str, Decimal] | None = None
) -> list[Record | DeadLetter]:
    try:
        return _read_fast(txn, amounts)
    except Exception:  # noqa: BLE001 - anything irregular: the reference reading decides
        return list(_read_reference(txn))


@dataclass(slots=True)
class _Header:
    payment_amount: Decimal | None = None
    credit_debit_flag: str | None = None
    payment_method: str | None = None
    payment_date: dt.date | None = None
    trace_number: str | None = None
    payer_trace_id: str | None = None
    production_date: dt.date | None = None
    payer_n1_id: str | None = None
    payer_ref_2u: str | None = None
    payer_name: str | None = None
    payee_npi: str | None = None
    payee_tax_id: str | None = None
    payee_ref_tj: str | None = None
    in_payee: bool = False

    @property
    def payer_id(self) -> str | None:
        return self.payer_n1_id or self.payer_ref_2u or self.payer_trace_id


# -- the fast reading --------------------------------------------------------------------------

_ClaimDraft = draft_type(RemittanceClaim)
_LineDraft = draft_type(RemittanceLine)
_AdjustmentDraft = draft_type(RemittanceAdjustment)
_PADDING = [""] * 10
_LINE_DATES = frozenset({"472", "150"})
# segments with remark codes (RARC): LQ*HE of a line (2110), MOA / MIA of a claim (2100)
_REMARK_SEGMENTS = frozenset({"LQ", "MOA", "MIA"})
# CAS reason positions by segment length (2, 5, ... below 20, as the reference reads them); a
# CAS of 64 elements or more (19 is the most X12 allows) is left to the reference reading
_CAS_STARTS = tuple(tuple(range(2, min(size, 20), 3)) for size in range(64))


class _Irregular(Exception):
    """Something `_read_fast` leaves to the reference reading."""


def _irregular() -> Any:
    raise _Irregular


def _read_fast(
    txn: Transaction, amounts: dict[str, Decimal] | None = None
) -> list[Record | DeadLetter]:
    """Payment, claims with their adjustments and lines, provider adjustments, in one pass;
    records are drafts filled slot by slot and sealed when complete (`draft_type`). Raises
    (anything) where a value is not well formed: the reference reading then takes over.
    `amounts`: the file's amounts read so far (`kept_amounts`). The hot loop: it runs once per
    segment of the file, so the claim's state lives in local variables, segment ids are
    compared most frequent first, and an amount is a dictionary look-up once seen."""
    amounts = kept_amounts(amounts)
    amount = amounts.get
    header = _Header()
    comp = txn.separators.component
    records: list[Record | DeadLetter] = []
    plbs: list[list[str]] = []
    claim: Any = None  # the open claim's draft
    line: Any = None  # its last line's draft
    line_key: int | None = None  # its last line's number (None: claim level)
    claim_start = claim_count = line_number = adjustment_index = 0
    claim_id = trace_number = payer_trace_id = ""
    payer_id: str | None = None
    production_date = payment_date = None
    for seg in txn.segments:
        if claim is not None:
            sid = seg[0]
            if sid == "DTM":
                qualifier, value = seg[1], seg[2]  # a short DTM: IndexError (the reference)
                if line is not None:
                    if value and qualifier in _LINE_DATES and line.service_date is None:
                        line.service_date = parse_date(value)
                elif qualifier == "232":
                    claim.service_date_from = parse_date(value) if value else None
                elif qualifier == "233":
                    claim.service_date_to = parse_date(value) if value else None
                continue
            if sid == "CAS":
                group = seg[1]
                if not group:
                    raise _Irregular
                size = len(seg)
                if size == 4:  # one adjustment without a quantity: the usual CAS
                    reason = seg[2]
                    if reason:
                        value = seg[3]
                        money = amount(value)
                        if money is None:
                            money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                            amounts[value] = money
                        adjustment_index += 1
                        r = _AdjustmentDraft()
                        r.claim_id = claim_id
                        r.line_number = line_key
                        r.group_code = group
                        r.reason_code = reason
                        r.amount = money
                        r.quantity = None
                        r.adjustment_index = adjustment_index
                        r.claim_index = claim_count
                        r.trace_number = trace_number
                        r.payer_trace_id = payer_trace_id
                        r.__class__ = RemittanceAdjustment  # sealed
                        records.append(r)
                    continue
                for start in _CAS_STARTS[size]:
                    reason = seg[start]
                    if not reason:
                        continue
                    value = seg[start + 1]  # missing: IndexError
                    money = amount(value)
                    if money is None:  # new: read as `to_decimal` reads it, then kept
                        money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                        amounts[value] = money
                    adjustment_index += 1
                    r = _AdjustmentDraft()
                    r.claim_id = claim_id
                    r.line_number = line_key
                    r.group_code = group
                    r.reason_code = reason
                    r.amount = money
                    if start + 3 <= size and (value := seg[start + 2]):
                        money = amount(value)
                        if money is None:
                            money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                            amounts[value] = money
                        r.quantity = money
                    else:
                        r.quantity = None
                    r.adjustment_index = adjustment_index
                    r.claim_index = claim_count
                    r.trace_number = trace_number
                    r.payer_trace_id = payer_trace_id
                    r.__class__ = RemittanceAdjustment  # sealed
                    records.append(r)
                continue
            if sid == "REF":
                if line is not None and seg[1] == "6R":
                    line.line_control_number = seg[2] or None
                continue
            if sid == "SVC":
                if line is not None:
                    line.__class__ = RemittanceLine  # sealed
                if len(seg) < 6:
                    seg = seg + _PADDING[len(seg) : 6]
                line_key = line_number = line_number + 1
                adjustment_index = 0
                procedure = seg[1]
                parts = procedure.split(comp)
                line = _LineDraft()
                line.claim_id = claim_id
                line.line_number = line_number
                line.line_control_number = None  # REF*6R
                line.procedure_code = parts[1] if len(parts) > 1 and parts[1] else procedure or None
                value = seg[2]
                money = amount(value)
                if money is None:
                    money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                    amounts[value] = money
                line.charge_amount = money
                value = seg[3]
                money = amount(value)
                if money is None:
                    money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                    amounts[value] = money
                line.paid_amount = money
                value = seg[5]
                if value:
                    money = amount(value)
                    if money is None:
                        money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                        amounts[value] = money
                    line.units = money
                else:
                    line.units = None
                line.service_date = None  # DTM*472
                line.remark_codes = None  # LQ*HE
                line.claim_index = claim_count
                line.trace_number = trace_number
                line.payer_trace_id = payer_trace_id
                records.append(line)
                continue
            if sid != "CLP" and sid != "PLB" and sid != "SE":
                if sid in _REMARK_SEGMENTS:  # NM1, AMT, LX, ... of the claim loop: not read
                    if sid == "LQ":
                        code = seg[2] if seg[1] == "HE" else ""  # short LQ: the reference
                        if code and line is not None:
                            codes = line.remark_codes
                            line.remark_codes = code if codes is None else f"{codes},{code}"
                    elif found := ",".join(filter(None, _claim_remark_elements(seg))):
                        codes = claim.remark_codes
                        claim.remark_codes = found if codes is None else f"{codes},{found}"
                continue
            # the claim is complete
            if line is not None:
                line.__class__ = RemittanceLine  # sealed
                if claim.service_date_from is None:  # no DTM*232: the lines' dates
                    _period_of_lines(claim, records, claim_start)
            claim.__class__ = RemittanceClaim  # sealed
            claim = line = None
            if sid != "CLP":
                if sid == "PLB":
                    plbs.append(seg)
                continue
        else:
            sid = seg[0]
            if sid != "CLP":
                if claim_count:  # after the claims only PLB and SE (payment values are final)
                    if sid == "PLB":
                        plbs.append(seg)
                    elif sid != "SE":
                        raise _Irregular
                elif sid == "PLB":
                    plbs.append(seg)
                else:
                    _header_segment(header, seg)
                continue
            trace_number, payer_trace_id = header.trace_number, header.payer_trace_id
            payer_id = header.payer_id
            production_date, payment_date = header.production_date, header.payment_date
        # a CLP: the claim's draft
        if len(seg) < 10:
            seg = seg + _PADDING[len(seg) :]
        claim_id, status = seg[1], seg[2]
        if not claim_id or status not in _CLP02_STATUSES:
            raise _Irregular
        claim_count += 1
        line_number = adjustment_index = 0
        line_key = None
        claim_start = len(records)
        claim = _ClaimDraft()
        claim.claim_id = claim_id
        claim.status_code = status
        value = seg[3]
        money = amount(value)
        if money is None:
            money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
            amounts[value] = money
        claim.charge_amount = money
        value = seg[4]
        money = amount(value)
        if money is None:
            money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
            amounts[value] = money
        claim.paid_amount = money
        value = seg[5]
        if value:
            money = amount(value)
            if money is None:
                money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
                amounts[value] = money
            claim.patient_responsibility_amount = money
        else:
            claim.patient_responsibility_amount = None
        claim.claim_filing_indicator = seg[6] or None
        claim.payer_claim_control_number = seg[7] or None
        claim.facility_type_code = seg[8] or None
        claim.frequency_code = seg[9] or None
        claim.service_date_from = claim.service_date_to = None  # DTM*232 / 233
        claim.claim_index = claim_count
        claim.trace_number = trace_number
        claim.payer_trace_id = payer_trace_id
        claim.payer_id = payer_id
        claim.production_date = production_date
        claim.payment_date = payment_date
        claim.remark_codes = None  # MOA / MIA
        records.append(claim)
    if claim is not None:
        raise _Irregular  # no SE (the tokenizer gives none such)
    payment = _payment(header, claim_count, txn.envelope, group_created_at(txn))
    records.insert(0, payment)
    for index, (seg, pair) in enumerate(_plb_pairs(plbs), start=1):
        records.append(_provider_adjustment(seg, pair, index, payment, comp))
    return records


def _claim_remark_elements(seg: list[str]) -> list[str]:
    """The remark code elements of an MOA (MOA03..MOA07) or MIA (MIA05, MIA20..MIA24)."""
    return seg[3:8] if seg[0] == "MOA" else seg[5:6] + seg[20:25]


def _period_of_lines(claim: Any, records: list[Any], start: int) -> None:
    """A claim without DTM*232 takes its service period from its lines' dates (the reference
    reading's rule), found among its records once it is complete."""
    days = [
        r.service_date
        for r in records[start:]
        if type(r) is RemittanceLine and r.service_date is not None
    ]
    if days:
        claim.service_date_from = min(days)
        claim.service_date_to = claim.service_date_to or max(days)


# -- the reference reading ---------------------------------------------------------------------


@dataclass(slots=True)
class _Claim:
    clp: list[str]
    index: int
    segments: list[list[str]] = field(default_factory=list)


def _read_reference(txn: Transaction) -> Iterator[Record | DeadLetter]:
    """The plain two-pass reading: segments sorted into header, claims and PLBs, then each
    claim's records built with every check, the first failing one its dead-letter reason."""
    header = _Header()
    claims: list[_Claim] = []
    plbs: list[list[str]] = []
    current: list[list[str]] | None = None
    for seg in txn.segments:
        sid = seg[0]
        if sid == "CLP":
            claim = _Claim(seg, len(claims) + 1, [seg])
            claims.append(claim)
            current = claim.segments
        elif sid == "PLB":
            plbs.append(seg)
            current = None
        elif sid == "SE":
            current = None
        elif current is not None:
            current.append(seg)
        else:
            _header_segment(header, seg)
    payment = _payment(header, len(claims), txn.envelope, group_created_at(txn))
    comp = txn.separators.component
    out: list[Record | DeadLetter] = [payment]
    for claim in claims:
        try:
            out.extend(_claim_records(claim, payment, comp))
        except X12ValueError as exc:
            what = f"claim #{claim.index} CLP01={element(claim.clp, 1)!r}"
            out.append(loop_dead_letter(SOURCE, txn, claim.segments, exc, what))
    for index, (seg, pair) in enumerate(_plb_pairs(plbs), start=1):
        out.append(_provider_adjustment(seg, pair, index, payment, comp))
    return iter(out)


def _header_segment(h: _Header, seg: list[str]) -> None:
    sid = seg[0]
    if sid == "BPR":
        coded(element(seg, 1), _BPR01_HANDLING, "BPR01 transaction handling")
        h.payment_amount = to_decimal(element(seg, 2), "BPR02 payment amount")
        h.credit_debit_flag = element(seg, 3)
        h.payment_method = element(seg, 4)
        h.payment_date = to_date(element(seg, 16), "BPR16 payment date")
    elif sid == "TRN":
        h.trace_number = element(seg, 2)
        h.payer_trace_id = element(seg, 3)
    elif sid == "DTM" and element(seg, 1) == "405":
        h.production_date = to_date(element(seg, 2), "DTM*405 production date")
    elif sid == "N1":
        _n1(h, seg)
    elif sid == "REF":
        qualifier = element(seg, 1)
        if qualifier == "2U" and not h.in_payee:
            h.payer_ref_2u = element(seg, 2)
        elif qualifier == "TJ" and h.in_payee:
            h.payee_ref_tj = element(seg, 2)


def _n1(h: _Header, seg: list[str]) -> None:
    entity = element(seg, 1)
    h.in_payee = entity == "PE"
    if entity == "PR":
        h.payer_name = element(seg, 2)
        if element(seg, 3) == "XV":
            h.payer_n1_id = element(seg, 4)
    elif entity == "PE":
        qualifier = element(seg, 3)
        if qualifier == "XX":
            h.payee_npi = element(seg, 4)
        elif qualifier == "FI":
            h.payee_tax_id = element(seg, 4)


def _payment(
    h: _Header, claim_count: int, env: Envelope, created: dt.datetime | None
) -> RemittancePayment:
    if h.payment_amount is None:
        raise X12ValueError(
            "no BPR segment (financial information) in the header", "MissingSegment"
        )
    if not h.trace_number:
        raise X12ValueError(
            "no TRN segment with a trace number (TRN02) in the header", "MissingSegment"
        )
    return RemittancePayment(
        trace_number=h.trace_number,
        payer_trace_id=h.payer_trace_id,
        payment_amount=h.payment_amount,
        credit_debit_flag=h.credit_debit_flag,
        payment_method=h.payment_method,
        payment_date=h.payment_date,
        production_date=h.production_date,
        payer_id=h.payer_id,
        payer_name=h.payer_name,
        payee_npi=h.payee_npi,
        payee_tax_id=h.payee_tax_id or h.payee_ref_tj,
        claim_count=claim_count,
        sender_id=env.sender_id,
        interchange_control_number=env.interchange_control_number,
        transaction_control_number=env.transaction_control_number,
        group_created_at=created,
    )


@dataclass(slots=True)
class _Line:
    svc: list[str]
    number: int
    control_number: str | None = None
    service_date: dt.date | None = None
    adjustments: list[list[str]] = field(default_factory=list)
    remark_codes: list[str] = field(default_factory=list)  # LQ*HE


def _claim_records(claim: _Claim, p: RemittancePayment, comp: str) -> list[Record]:
    clp = claim.clp
    claim_id = require(element(clp, 1), "CLP01 claim id")
    claim_cas: list[list[str]] = []
    claim_remarks: list[str] = []  # MOA / MIA
    lines: list[_Line] = []
    date_from = date_to = None
    for seg in claim.segments[1:]:
        sid = seg[0]
        if sid == "SVC":
            lines.append(_Line(seg, len(lines) + 1))
        elif sid == "CAS":
            (lines[-1].adjustments if lines else claim_cas).append(seg)
        elif sid == "DTM":
            qualifier, value = element(seg, 1), element(seg, 2)
            if lines:
                if qualifier in ("472", "150") and lines[-1].service_date is None:
                    lines[-1].service_date = to_date(value, f"DTM*{qualifier} line date")
            elif qualifier == "232":
                date_from = to_date(value, "DTM*232 claim statement from date")
            elif qualifier == "233":
                date_to = to_date(value, "DTM*233 claim statement to date")
        elif sid == "REF" and lines and element(seg, 1) == "6R":
            lines[-1].control_number = element(seg, 2)
        elif sid == "LQ" and lines and element(seg, 1) == "HE" and (code := element(seg, 2)):
            lines[-1].remark_codes.append(code)
        elif sid == "MOA" or sid == "MIA":
            claim_remarks.extend(code for code in _claim_remark_elements(seg) if code)
    if date_from is None:
        line_dates = [ln.service_date for ln in lines if ln.service_date is not None]
        if line_dates:
            date_from = min(line_dates)
            date_to = date_to or max(line_dates)
    out: list[Record] = [
        _remittance_claim(clp, claim_id, claim.index, date_from, date_to, p, claim_remarks)
    ]
    out.extend(_adjustments(claim_cas, claim_id, None, claim.index, p))
    for line in lines:
        out.append(_remittance_line(line, claim_id, claim.index, p, comp))
        out.extend(_adjustments(line.adjustments, claim_id, line.number, claim.index, p))
    return out


def _remittance_claim(
    clp: list[str],
    claim_id: str,
    index: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    p: RemittancePayment,
    remark_codes: list[str],
) -> RemittanceClaim:
    return RemittanceClaim(
        claim_id=claim_id,
        status_code=coded(element(clp, 2), _CLP02_STATUSES, "CLP02 claim status"),
        charge_amount=to_decimal(element(clp, 3), "CLP03 charge amount"),
        paid_amount=to_decimal(element(clp, 4), "CLP04 paid amount"),
        patient_responsibility_amount=opt_decimal(element(clp, 5), "CLP05 patient responsibility"),
        claim_filing_indicator=element(clp, 6),
        payer_claim_control_number=element(clp, 7),
        facility_type_code=element(clp, 8),
        frequency_code=element(clp, 9),
        service_date_from=date_from,
        service_date_to=date_to,
        claim_index=index,
        trace_number=p.trace_number,
        payer_trace_id=p.payer_trace_id,
        payer_id=p.payer_id,
        production_date=p.production_date,
        payment_date=p.payment_date,
        remark_codes=",".join(remark_codes) or None,
    )


def _remittance_line(
    line: _Line, claim_id: str, claim_index: int, p: RemittancePayment, comp: str
) -> RemittanceLine:
    svc = line.svc
    procedure = element(svc, 1)
    parts = procedure.split(comp) if procedure else []
    return RemittanceLine(
        claim_id=claim_id,
        line_number=line.number,
        line_control_number=line.control_number,
        procedure_code=parts[1] if len(parts) > 1 and parts[1] else procedure,
        charge_amount=to_decimal(element(svc, 2), "SVC02 line charge amount"),
        paid_amount=to_decimal(element(svc, 3), "SVC03 line paid amount"),
        units=opt_decimal(element(svc, 5), "SVC05 line units"),
        service_date=line.service_date,
        claim_index=claim_index,
        trace_number=p.trace_number,
        payer_trace_id=p.payer_trace_id,
        remark_codes=",".join(line.remark_codes) or None,
    )


def _adjustments(
    segments: list[list[str]],
    claim_id: str,
    line_number: int | None,
    claim_index: int,
    p: RemittancePayment,
) -> Iterator[RemittanceAdjustment]:
    index = 0
    for seg in segments:
        group = require(element(seg, 1), "CAS01 group code")
        for start in range(2, min(len(seg), 20), 3):
            reason = element(seg, start)
            if reason is None:
                continue
            index += 1
            yield RemittanceAdjustment(
                claim_id=claim_id,
                line_number=line_number,
                group_code=group,
                reason_code=reason,
                amount=to_decimal(element(seg, start + 1), "CAS adjustment amount"),
                quantity=opt_decimal(element(seg, start + 2), "CAS adjustment quantity"),
                adjustment_index=index,
                claim_index=claim_index,
                trace_number=p.trace_number,
                payer_trace_id=p.payer_trace_id,
            )


def _plb_pairs(plbs: list[list[str]]) -> Iterator[tuple[list[str], tuple[str, str | None]]]:
    for seg in plbs:
        for start in range(3, min(len(seg), 15), 2):
            identifier = element(seg, start)
            if identifier is not None:
                yield seg, (identifier, element(seg, start + 1))


def _provider_adjustment(
    seg: list[str], pair: tuple[str, str | None], index: int, p: RemittancePayment, comp: str
) -> ProviderAdjustment:
    identifier, amount = pair
    reason, _, reference = identifier.partition(comp)
    return ProviderAdjustment(
        provider_id=require(element(seg, 1), "PLB01 provider id"),
        fiscal_period_date=to_date(element(seg, 2), "PLB02 fiscal period date"),
        reason_code=reason,
        reference_id=reference or None,
        amount=to_decimal(amount, f"PLB adjustment {index} ({reason}) amount"),
        adjustment_index=index,
        trace_number=p.trace_number,
        payer_trace_id=p.payer_trace_id,
    )
