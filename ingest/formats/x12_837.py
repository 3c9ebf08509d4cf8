"""X12 837 professional / institutional claims (005010X222A1 / X223A2) -> ClaimSubmission
per CLM and ClaimServiceLine per LX (SV1, SV2; SV3 for dental).

The HL hierarchy is tracked (20 billing provider, 22 subscriber, 23 patient); a claim takes its
payer (2010BB NM1*PR) and SBR01 from its subscriber HL and its billing NPI (2010AA NM1*85)
from its billing provider HL. Within a claim, NM1 / REF / DTP count at claim level only before
the first LX and before any 2320 other-subscriber loop (a claim-level SBR), so COB loops do not
leak into the claim. A claim with a bad value is one dead letter (its CLM loop as payload).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.formats._x12_common import expect_transaction, loop_dead_letter, read_x12, require
from ingest.records import ClaimServiceLine, ClaimSubmission, DeadLetter, Record
from ingest.x12 import (
    Envelope,
    Transaction,
    X12ValueError,
    coded,
    date_range,
    element,
    opt_decimal,
    to_date,
    to_decimal,
)

SOURCE = "x12_837"
_BHT02_PURPOSES = frozenset({"00", "18"})  # original, reissue (X222A1 / X223A2)
PARSER_VERSION = "1.0.0"


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Records of an 837 file; bad transactions / claims as dead letters. Never raises."""
    return read_x12(SOURCE, data, _accept, _read_transaction)


def _accept(envelope: Envelope) -> str | None:
    return expect_transaction(envelope, "837", "837 health care claim", ())


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


def _read_transaction(txn: Transaction) -> Iterator[Record | DeadLetter]:
    levels: dict[str, _Level] = {}
    level: _Level | None = None
    claim: _Claim | None = None
    claims: list[_Claim] = []
    submission_date: dt.date | None = None
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
            out.extend(_claim_records(claim, txn, submission_date))
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
    claim: _Claim, txn: Transaction, submission_date: dt.date | None
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
    lines = [_service_line(ln, claim_id, level, frequency, env, comp) for ln in detail.lines]
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
    line: _LineDetail, claim_id: str, level: _Level, frequency: str, env: Envelope, comp: str
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
