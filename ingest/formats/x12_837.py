"""X12 837 professional / institutional claims (005010X222A1 / X223A2) -> ClaimSubmission
per CLM and ClaimServiceLine per LX (SV1, SV2; SV3 for dental).

The HL hierarchy is tracked (20 billing provider, 22 subscriber, 23 patient); a claim takes its
payer (2010BB NM1*PR) and SBR01 from its subscriber HL and its billing NPI (2010AA NM1*85)
from its billing provider HL. Within a claim, NM1 / REF / DTP count at claim level only before
the first LX and before any 2320 other-subscriber loop (a claim-level SBR), so COB loops do not
leak into the claim. A claim with a bad value is one dead letter (its CLM loop as payload).

Two readings of a transaction (docs/decisions/0012): `_read_fast`, one pass that builds the
records as the segments come, for transactions where every value is well formed; at anything
else it gives up and `_read_reference`, the plain reading with every check, reads the
transaction and names the problem. Both give the same records (tests/ingest/test_x12_837.py
compares them).
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
from ingest.records import ClaimServiceLine, ClaimSubmission, DeadLetter, Record
from ingest.x12 import (
    Envelope,
    Transaction,
    X12ValueError,
    coded,
    date_range,
    element,
    opt_decimal,
    parse_date,
    to_date,
    to_decimal,
)

SOURCE = "x12_837"
_BHT02_PURPOSES = frozenset({"00", "18"})  # original, reissue (X222A1 / X223A2)
PARSER_VERSION = "1.0.0"


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Records of an 837 file; bad transactions / claims as dead letters. Never raises."""
    return read_x12(SOURCE, data, _accept, _file_reader())


def _file_reader() -> Callable[[Transaction], list[Record | DeadLetter]]:
    """The transaction reader of one file: it keeps the file's amounts (`kept_amounts`)."""
    amounts: dict[str, Decimal] = {}
    return lambda txn: _read_transaction(txn, amounts)


def _accept(envelope: Envelope) -> str | None:
    return expect_transaction(envelope, "837", "837 health care claim", ())


def _read_transaction(
    txn: Transaction, amounts: dict[str, Decimal] | None = None
) -> list[Record | DeadLetter]:
    try:
        return _read_fast(txn, amounts)
    except Exception:  # noqa: BLE001 - anything irregular: the reference reading decides
        return list(_read_reference(txn))


# -- the fast reading --------------------------------------------------------------------------

_SubmissionDraft = draft_type(ClaimSubmission)
_LineDraft = draft_type(ClaimServiceLine)
# the segments the fast reading looks at, as small numbers (cheaper to compare than ids)
_NM1, _DTP, _REF, _LX, _SV, _SBR, _BHT, _HL, _CLM, _SE = range(1, 11)
_OPS = {
    "NM1": _NM1,
    "DTP": _DTP,
    "REF": _REF,
    "LX": _LX,
    "SV1": _SV,
    "SV2": _SV,
    "SV3": _SV,
    "SBR": _SBR,
    "BHT": _BHT,
    "HL": _HL,  # HL, CLM, SE end a claim
    "CLM": _CLM,
    "SE": _SE,
}


class _Irregular(Exception):
    """Something `_read_fast` leaves to the reference reading."""


def _irregular() -> Any:
    raise _Irregular


def _amount(amounts: dict[str, Decimal], value: str) -> Decimal:
    """An amount as `to_decimal` reads it (`value[-1]` and `Decimal` raise on what it
    rejects), kept for the rest of the file (`kept_amounts`)."""
    money = amounts.get(value)
    if money is None:
        money = Decimal(value) if value[-1] in NUMBER_END else _irregular()
        amounts[value] = money
    return money


def _dates(value: str) -> tuple[dt.date | None, dt.date | None]:
    """`date_range` of a D8 date or RD8 range; a bad one raises ValueError."""
    if not value:
        return None, None
    if "-" in value:
        first, _, last = value.partition("-")
        return (parse_date(first) if first else None), (parse_date(last) if last else None)
    day = parse_date(value)
    return day, day


def _read_fast(
    txn: Transaction, amounts: dict[str, Decimal] | None = None
) -> list[Record | DeadLetter]:
    """Claims and their lines in one pass; records are drafts filled slot by slot and sealed
    when complete (`draft_type`). Raises (anything) where a value is not well formed or a
    segment is missing: the reference reading then takes over. The hot loop: it runs once
    per segment of the file, so the claim's state lives in local variables. `amounts`: the
    file's amounts read so far (`kept_amounts`)."""
    amounts = kept_amounts(amounts)
    env, comp = txn.envelope, txn.separators.component
    created = group_created_at(txn)  # once per transaction: the group's GS04 / GS05
    levels: dict[str, _Level] = {}
    level: _Level | None = None
    submission_date: dt.date | None = None
    records: list[Record | DeadLetter] = []
    ops = _OPS.get
    claim: Any = None  # the open claim's submission draft
    line: Any = None  # its last line's draft
    has_service = False  # that line has its SV1 / SV2 / SV3
    dated = False  # that line has its DTP*472 date
    in_claim = False  # 2300 / 2310 loops; False once in 2320 (SBR) or 2400 (LX)
    statement: tuple[dt.date | None, dt.date | None] = (None, None)  # DTP*434
    first: dt.date | None = None  # the lines' earliest date
    last: dt.date | None = None  # their latest (end) date
    line_count = 0
    for seg in txn.segments:
        op = ops(seg[0])
        if op is None:
            continue  # N3, N4, DMG, HI, PRV, ...: not read
        if claim is not None:
            if op == _DTP:
                qualifier = seg[1]
                if line is not None:
                    if qualifier == "472" and not dated:
                        start, end = _dates(seg[3])
                        if start is not None:
                            dated = True
                            line.service_date = start
                            end = end or start
                            first = start if first is None or start < first else first
                            last = end if last is None or end > last else last
                elif in_claim and qualifier == "434":
                    statement = _dates(seg[3])
                continue
            if op == _REF:
                qualifier = seg[1]
                if line is not None:
                    if qualifier == "6R":
                        line.line_control_number = seg[2] or None
                elif in_claim and qualifier == "F8":
                    claim.original_payer_claim_number = seg[2] or None
                continue
            if op == _NM1:
                if in_claim:
                    entity = seg[1]
                    if entity == "82":
                        claim.rendering_npi = seg[9] or None if len(seg) > 9 else None
                    elif entity == "77":
                        claim.facility_npi = seg[9] or None if len(seg) > 9 else None
                continue
            if op == _LX:
                number = seg[1]
                if not number.isdigit():
                    raise _Irregular
                if line is not None:
                    if not has_service:
                        raise _Irregular
                    line.__class__ = ClaimServiceLine  # sealed
                in_claim = has_service = dated = False
                line_count += 1
                line = _LineDraft()
                line.claim_id = claim.claim_id
                line.payer_id = claim.payer_id
                line.frequency_code = claim.frequency_code
                line.line_number = int(number)
                line.line_control_number = None  # REF*6R
                line.service_date = None  # DTP*472
                line.sender_id = env.sender_id
                line.interchange_control_number = env.interchange_control_number
                line.transaction_control_number = env.transaction_control_number
                line.group_created_at = created
                records.append(line)
                continue
            if op == _SV:
                if line is not None and not has_service:
                    has_service = True
                    _fill_service(line, seg, comp, amounts)
                continue
            if op == _SBR:
                if line is None:
                    in_claim = False
                continue
            if op < _HL:
                continue  # BHT
            # HL, CLM or SE: the claim is complete
            if line is not None:
                if not has_service:
                    raise _Irregular
                line.__class__ = ClaimServiceLine  # sealed
            claim.service_date_from, claim.service_date_to = (
                statement if first is None else (first, last)
            )
            if claim.facility_npi is None:
                claim.facility_npi = claim.billing_npi
            claim.line_count = line_count
            claim.__class__ = ClaimSubmission  # sealed
            claim = None
        if op == _NM1:
            if level is not None:
                entity = seg[1]
                identifier = seg[9] or None if len(seg) > 9 else None  # NM109 (optional)
                if entity == "85":
                    level.billing_npi = identifier
                elif entity == "PR":
                    level.payer_id = identifier
                    level.payer_name = seg[3] or None
                elif entity == "IL":
                    level.subscriber_id = identifier
        elif op == _SBR:
            if level is not None:
                level.payer_responsibility = seg[1] or None
        elif op == _HL:
            hl_id, parent_id, code = seg[1], seg[2], seg[3]
            if not hl_id or not code:
                raise _Irregular
            level = _Level(code, levels[parent_id] if parent_id else None)
            levels[hl_id] = level
        elif op == _CLM:
            if level is None:
                raise _Irregular
            claim = _submission(seg, level, submission_date, env, comp, amounts)
            claim.group_created_at = created
            records.append(claim)
            line, in_claim, statement, first, last, line_count = (
                None,
                True,
                (None, None),
                None,
                None,
                0,
            )
        elif op == _BHT:
            if seg[2] not in _BHT02_PURPOSES:
                raise _Irregular
            submission_date = parse_date(seg[4]) if seg[4] else None
    if claim is not None:
        raise _Irregular  # no SE (the tokenizer gives none such)
    return records


def _submission(
    clm: list[str],
    level: _Level,
    submission_date: dt.date | None,
    env: Envelope,
    comp: str,
    amounts: dict[str, Decimal],
) -> Any:
    """The submission draft of a CLM with its HL levels' values (final by now: a level's
    segments all come before its first claim); the rest is set as the claim's loop comes."""
    claim_id, charge, clm05 = clm[1], clm[2], clm[5]
    parts = clm05.split(comp)
    if not claim_id or len(parts) < 3 or not parts[2]:
        raise _Irregular
    responsibility = payer_id = payer_name = billing_npi = subscriber_id = None
    up: _Level | None = level
    while up is not None:  # what the claim inherits: the nearest HL that has it
        responsibility = responsibility or up.payer_responsibility
        payer_id = payer_id or up.payer_id
        payer_name = payer_name or up.payer_name
        billing_npi = billing_npi or up.billing_npi
        subscriber_id = subscriber_id or up.subscriber_id
        up = up.parent
    if responsibility is None:
        raise _Irregular
    r = _SubmissionDraft()
    r.claim_id = claim_id
    r.charge_amount = _amount(amounts, charge)
    r.frequency_code = parts[2]
    r.place_of_service = parts[0] or None
    r.facility_code_qualifier = parts[1] or None
    r.payer_responsibility = responsibility
    r.payer_id = payer_id
    r.payer_name = payer_name
    r.billing_npi = billing_npi
    r.facility_npi = None  # NM1*77, else the billing NPI (when the claim is complete)
    r.rendering_npi = None  # NM1*82
    r.subscriber_id = subscriber_id
    r.original_payer_claim_number = None  # REF*F8
    r.service_date_from = r.service_date_to = None  # when the claim is complete
    r.line_count = 0
    r.submission_date = submission_date
    r.transaction_type = env.version
    r.sender_id = env.sender_id
    r.interchange_control_number = env.interchange_control_number
    r.group_control_number = env.group_control_number
    r.transaction_control_number = env.transaction_control_number
    return r


def _fill_service(line: Any, seg: list[str], comp: str, amounts: dict[str, Decimal]) -> None:
    """Procedure, revenue code, charge and units of a line from its SV1 / SV2 / SV3."""
    if seg[0] == "SV2":
        line.procedure_code = _procedure(seg[2] or None, comp)
        line.revenue_code = seg[1] or None
        line.charge_amount = _amount(amounts, seg[3])
        units = seg[5] if len(seg) > 5 else ""
    else:
        line.procedure_code = _procedure(seg[1] or None, comp)
        line.revenue_code = None
        line.charge_amount = _amount(amounts, seg[2])
        index = 4 if seg[0] == "SV1" else 6
        units = seg[index] if len(seg) > index else ""
    line.units = _amount(amounts, units) if units else None


# -- the reference reading ---------------------------------------------------------------------


@dataclass(slots=True)
class _Level:
    """What an HL contributes to the claims below it."""

    code: str
    parent: _Level | None
    billing_npi: str | None = None
    payer_responsibility: str | None = None
    payer_id: str | None = None
    payer_name: str | None = None
    subscriber_id: str | None = None

    def inherited(self, name: str) -> str | None:
        level: _Level | None = self
        while level is not None:
            value = getattr(level, name)
            if value is not None:
                return value
            level = level.parent
        return None


@dataclass(slots=True)
class _Claim:
    clm: list[str]
    level: _Level
    segments: list[list[str]] = field(default_factory=list)


def _read_reference(txn: Transaction) -> Iterator[Record | DeadLetter]:
    """The plain reading: claims collected with their HL levels, then each claim's records
    built with every check, the first failing one its dead-letter reason."""
    levels: dict[str, _Level] = {}
    level: _Level | None = None
    claim: _Claim | None = None
    claims: list[_Claim] = []
    submission_date: dt.date | None = None
    created = group_created_at(txn)
    for seg in txn.segments:
        sid = seg[0]
        if claim is not None and sid not in ("HL", "CLM", "SE"):
            claim.segments.append(seg)
        elif sid == "HL":
            claim = None
            level = _hl(seg, levels)
        elif sid == "CLM":
            if level is None:
                raise X12ValueError("CLM before any HL segment", "MissingSegment")
            claim = _Claim(seg, level, [seg])
            claims.append(claim)
        elif sid == "BHT":
            coded(element(seg, 2), _BHT02_PURPOSES, "BHT02 transaction set purpose")
            submission_date = to_date(element(seg, 4), "BHT04 submission date")
        elif level is not None:
            _level_segment(level, seg)
    out: list[Record | DeadLetter] = []
    for claim in claims:
        try:
            out.extend(_claim_records(claim, txn, submission_date, created))
        except X12ValueError as exc:
            out.append(
                loop_dead_letter(
                    SOURCE, txn, claim.segments, exc, f"claim CLM01={element(claim.clm, 1)!r}"
                )
            )
    return iter(out)


def _hl(seg: list[str], levels: dict[str, _Level]) -> _Level:
    hl_id = require(element(seg, 1), "HL01 hierarchical id")
    parent_id = element(seg, 2)
    parent = levels.get(parent_id) if parent_id else None
    if parent_id and parent is None:
        raise X12ValueError(f"HL*{hl_id} refers to an unknown parent HL {parent_id!r}")
    level = _Level(require(element(seg, 3), f"HL*{hl_id} level code (HL03)"), parent)
    levels[hl_id] = level
    return level


def _level_segment(level: _Level, seg: list[str]) -> None:
    sid = seg[0]
    if sid == "NM1":
        entity = element(seg, 1)
        if entity == "85":
            level.billing_npi = element(seg, 9)
        elif entity == "PR":
            level.payer_id = element(seg, 9)
            level.payer_name = element(seg, 3)
        elif entity == "IL":
            level.subscriber_id = element(seg, 9)
    elif sid == "SBR":
        level.payer_responsibility = element(seg, 1)


@dataclass(slots=True)
class _ClaimDetail:
    original_claim_number: str | None = None
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    rendering_npi: str | None = None
    facility_npi: str | None = None
    lines: list[_LineDetail] = field(default_factory=list)


@dataclass(slots=True)
class _LineDetail:
    number: int
    service: list[str] | None = None
    control_number: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _claim_detail(segments: list[list[str]]) -> _ClaimDetail:
    detail = _ClaimDetail()
    in_claim = True  # 2300 / 2310 loops; False once in 2320 (other subscriber) or 2400
    for seg in segments[1:]:
        sid = seg[0]
        if sid == "LX":
            in_claim = False
            number = element(seg, 1)
            if number is None or not number.isdigit():
                raise X12ValueError(f"LX01 line number {number!r} is not a number")
            detail.lines.append(_LineDetail(int(number)))
        elif detail.lines:
            _line_segment(detail.lines[-1], seg)
        elif sid == "SBR":
            in_claim = False
        elif in_claim:
            _claim_segment(detail, seg)
    return detail


def _claim_segment(detail: _ClaimDetail, seg: list[str]) -> None:
    sid, qualifier = seg[0], element(seg, 1)
    if sid == "REF" and qualifier == "F8":
        detail.original_claim_number = element(seg, 2)
    elif sid == "DTP" and qualifier == "434":
        detail.statement_from, detail.statement_to = date_range(
            element(seg, 3), "DTP*434 statement dates"
        )
    elif sid == "NM1" and qualifier == "82":
        detail.rendering_npi = element(seg, 9)
    elif sid == "NM1" and qualifier == "77":
        detail.facility_npi = element(seg, 9)


def _line_segment(line: _LineDetail, seg: list[str]) -> None:
    sid = seg[0]
    if sid in ("SV1", "SV2", "SV3") and line.service is None:
        line.service = seg
    elif sid == "REF" and element(seg, 1) == "6R":
        line.control_number = element(seg, 2)
    elif sid == "DTP" and element(seg, 1) == "472" and line.date_from is None:
        where = f"DTP*472 of line {line.number}"
        line.date_from, line.date_to = date_range(element(seg, 3), where)


def _claim_records(
    claim: _Claim,
    txn: Transaction,
    submission_date: dt.date | None,
    created: dt.datetime | None = None,
) -> list[Record]:
    clm, level, env, comp = claim.clm, claim.level, txn.envelope, txn.separators.component
    claim_id = require(element(clm, 1), "CLM01 patient control number")
    charge = to_decimal(element(clm, 2), "CLM02 claim charge amount")
    place, qualifier, frequency = _clm05(clm, comp)
    responsibility = level.inherited("payer_responsibility")
    if responsibility is None:
        raise X12ValueError(
            "no SBR (payer responsibility, SBR01) in the subscriber loop", "MissingSegment"
        )
    detail = _claim_detail(claim.segments)
    lines = [
        _service_line(ln, claim_id, level, frequency, env, comp, created)
        for ln in detail.lines
    ]
    starts = [ln.date_from for ln in detail.lines if ln.date_from is not None]
    ends = [ln.date_to or ln.date_from for ln in detail.lines if ln.date_from is not None]
    billing_npi = level.inherited("billing_npi")
    submission = ClaimSubmission(
        claim_id=claim_id,
        charge_amount=charge,
        frequency_code=frequency,
        place_of_service=place,
        facility_code_qualifier=qualifier,
        payer_responsibility=responsibility,
        payer_id=level.inherited("payer_id"),
        payer_name=level.inherited("payer_name"),
        billing_npi=billing_npi,
        facility_npi=detail.facility_npi or billing_npi,
        rendering_npi=detail.rendering_npi,
        subscriber_id=level.inherited("subscriber_id"),
        original_payer_claim_number=detail.original_claim_number,
        service_date_from=min(starts) if starts else detail.statement_from,
        service_date_to=max(ends) if ends else detail.statement_to,
        line_count=len(detail.lines),
        submission_date=submission_date,
        transaction_type=env.version,
        sender_id=env.sender_id,
        interchange_control_number=env.interchange_control_number,
        group_control_number=env.group_control_number,
        transaction_control_number=env.transaction_control_number,
        group_created_at=created,
    )
    return [submission, *lines]


def _clm05(clm: list[str], comp: str) -> tuple[str | None, str | None, str]:
    """CLM05 facility code / qualifier / frequency."""
    value = element(clm, 5)
    if not value:
        raise X12ValueError("CLM05 (place of service and frequency code) is missing")
    parts = value.split(comp)
    if len(parts) < 3 or not parts[2]:
        hint = next((c for c in ">:^|" if c != comp and c in value), None)
        mismatch = f" - it uses {hint!r}: separator mismatch" if hint else ""
        shifted = element(clm, 4)
        if not hint and shifted and len(shifted.split(comp)) == 3:
            mismatch = f" - CLM04 {shifted!r} looks like CLM05: an element is missing before it"
        raise X12ValueError(
            f"CLM05 {value!r} has no frequency code (CLM05-3) when split on the "
            f"component separator {comp!r} of ISA16{mismatch}"
        )
    return parts[0] or None, parts[1] or None, parts[2]


def _service_line(
    line: _LineDetail,
    claim_id: str,
    level: _Level,
    frequency: str,
    env: Envelope,
    comp: str,
    created: dt.datetime | None,
) -> ClaimServiceLine:
    procedure, revenue, charge, units = _service(line, comp)
    return ClaimServiceLine(
        claim_id=claim_id,
        payer_id=level.inherited("payer_id"),
        frequency_code=frequency,
        line_number=line.number,
        line_control_number=line.control_number,
        procedure_code=procedure,
        revenue_code=revenue,
        charge_amount=charge,
        units=units,
        service_date=line.date_from,
        sender_id=env.sender_id,
        interchange_control_number=env.interchange_control_number,
        transaction_control_number=env.transaction_control_number,
        group_created_at=created,
    )


def _service(
    line: _LineDetail, comp: str
) -> tuple[str | None, str | None, Decimal, Decimal | None]:
    """(procedure, revenue code, charge, units) of SV1 / SV2 / SV3."""
    seg = line.service
    if seg is None:
        raise X12ValueError(
            f"service line {line.number} has no SV1 / SV2 / SV3 segment", "MissingSegment"
        )
    sid, where = seg[0], f"{seg[0]} of line {line.number}"
    if sid == "SV2":
        return (
            _procedure(element(seg, 2), comp),
            element(seg, 1),
            to_decimal(element(seg, 3), f"{where} charge (SV203)"),
            opt_decimal(element(seg, 5), f"{where} units (SV205)"),
        )
    units_index = 4 if sid == "SV1" else 6
    return (
        _procedure(element(seg, 1), comp),
        None,
        to_decimal(element(seg, 2), f"{where} charge ({sid}02)"),
        opt_decimal(element(seg, units_index), f"{where} units ({sid}0{units_index})"),
    )


def _procedure(value: str | None, comp: str) -> str | None:
    if not value:
        return None
    parts = value.split(comp)
    return parts[1] or None if len(parts) > 1 else value
