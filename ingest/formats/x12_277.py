"""X12 277CA claim acknowledgment (005010X214; also the X364 variant) -> ClaimStatus.

Claims are the 2200D loops (TRN02 = CLM01) under HL level PT (or 22 / 23). Each status
composite of a claim's STC (STC01, STC10, STC11) is one record with level "claim". A
rejection (A3, A6, A7, A8) found at a higher HL level (2200A source, 2200B information
receiver, 2200C billing provider) is applied to every claim below that HL as a record with
level "source" / "receiver" / "provider". Line-level STCs (after SVC, loop 2220D) are not
claim statuses and are skipped.

The claim status inquiry / response pair (276 / 277, 005010X212) is read by
`ingest.formats.x12_277_x212` into ClaimStatusInquiry records (decision 0015); other
transaction sets and guides become UnsupportedTransaction dead letters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.formats import x12_277_x212
from ingest.formats._x12_common import expect_transaction, loop_dead_letter, read_x12, require
from ingest.formats._x12_group_time import group_created_at
from ingest.records import ClaimStatus, DeadLetter, Record
from ingest.x12 import (
    Envelope,
    Transaction,
    X12ValueError,
    coded,
    element,
    opt_decimal,
    to_date,
)

SOURCE = "x12_277"
_BHT02_PURPOSES = frozenset({"06", "08", "13"})  # confirmation, status, request
PARSER_VERSION = "1.1.0"  # 1.1: 276 / 277 X212 claim status inquiries and responses

REJECTION_CATEGORIES = frozenset({"A3", "A6", "A7", "A8"})
_LEVEL_NAMES = {"20": "source", "21": "receiver", "19": "provider"}
_CLAIM_LEVEL_CODES = frozenset({"PT", "22", "23"})


_GUIDES = {  # ST01 -> (what it is, implementation guides read)
    "277": ("277CA claim acknowledgment or 277 claim status response", ("X214", "X364", "X212")),
    "276": ("276 claim status request", ("X212",)),
}


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """ClaimStatus records of a 277CA, ClaimStatusInquiry records of a 276 / 277 X212;
    anything else as dead letters. Never raises."""
    return read_x12(SOURCE, data, _accept, _read_any)


def _accept(envelope: Envelope) -> str | None:
    label, guides = _GUIDES.get(envelope.transaction_set_id, _GUIDES["277"])
    st01 = envelope.transaction_set_id if envelope.transaction_set_id in _GUIDES else "277"
    refusal = expect_transaction(envelope, st01, label, guides)
    if refusal and envelope.transaction_set_id not in _GUIDES:
        refusal += " or ST01='276'"
    return refusal


def _read_any(txn: Transaction) -> Iterator[Record | DeadLetter]:
    if "X212" in txn.envelope.version:
        return x12_277_x212.read_transaction(txn)
    return _read_transaction(txn)


@dataclass(frozen=True, slots=True)
class _Status:
    category: str
    status_code: str | None
    entity_code: str | None
    status_date: dt.date | None
    charge_amount: Decimal | None


@dataclass(slots=True)
class _Level:
    code: str
    parent: _Level | None
    hl_id: str = ""
    payer_id: str | None = None
    rejections: list[_Status] = field(default_factory=list)
    rejection_segments: list[list[str]] = field(default_factory=list)
    has_claims: bool = False


@dataclass(slots=True)
class _Claim:
    level: _Level
    segments: list[list[str]]
    claim_id: str | None = None
    payer_claim_number: str | None = None
    statuses: list[_Status] = field(default_factory=list)


def _read_transaction(txn: Transaction) -> Iterator[Record | DeadLetter]:
    levels: dict[str, _Level] = {}
    claims: list[_Claim] = []
    level: _Level | None = None
    claim: _Claim | None = None
    report_date: dt.date | None = None
    created = group_created_at(txn)
    comp = txn.separators.component
    for seg in txn.segments:
        sid = seg[0]
        if sid == "HL":
            level = _hl(seg, levels)
            claim = None
            if level.code in _CLAIM_LEVEL_CODES:
                claim = _Claim(level, [seg])
                claims.append(claim)
        elif sid == "BHT":
            coded(element(seg, 2), _BHT02_PURPOSES, "BHT02 transaction set purpose")
            report_date = to_date(element(seg, 4), "BHT04 report date")
        elif claim is not None:
            claim.segments.append(seg)
        elif level is not None:
            _level_segment(level, seg, comp)
    out: list[Record | DeadLetter] = []
    for claim in claims:
        try:
            out.extend(_claim_statuses(claim, txn, report_date, created, comp))
        except X12ValueError as exc:
            what = f"claim loop 2200D TRN02={claim.claim_id!r}"
            out.append(loop_dead_letter(SOURCE, txn, claim.segments, exc, what))
    out.extend(_orphan_rejections(levels, txn))
    return iter(out)


def _orphan_rejections(levels: dict[str, _Level], txn: Transaction) -> Iterator[DeadLetter]:
    """A rejection at a higher level with no claim below it rejects claims the 277CA does not
    name: nothing can be landed, a person has to find the batch."""
    for level in levels.values():
        if level.rejections and not level.has_claims:
            name = _LEVEL_NAMES.get(level.code, f"HL level {level.code}")
            codes = ", ".join(
                ":".join(filter(None, (s.category, s.status_code, s.entity_code)))
                for s in level.rejections
            )
            error = X12ValueError(
                f"{name}-level rejection {codes} (HL*{level.hl_id}) has no claim (2200D) below "
                "it: the rejected claims are not named, find the submitted batch",
                "MissingSegment",
            )
            what = f"{name} loop HL*{level.hl_id}"
            yield loop_dead_letter(SOURCE, txn, level.rejection_segments, error, what)


def _hl(seg: list[str], levels: dict[str, _Level]) -> _Level:
    hl_id = require(element(seg, 1), "HL01 hierarchical id")
    parent_id = element(seg, 2)
    parent = levels.get(parent_id) if parent_id else None
    if parent_id and parent is None:
        raise X12ValueError(f"HL*{hl_id} refers to an unknown parent HL {parent_id!r}")
    level = _Level(require(element(seg, 3), f"HL*{hl_id} level code (HL03)"), parent, hl_id)
    levels[hl_id] = level
    if level.code in _CLAIM_LEVEL_CODES:
        ancestor = parent
        while ancestor is not None:
            ancestor.has_claims = True
            ancestor = ancestor.parent
    return level


def _level_segment(level: _Level, seg: list[str], comp: str) -> None:
    sid = seg[0]
    if sid == "NM1" and element(seg, 1) == "PR":
        level.payer_id = element(seg, 9)
    elif sid == "STC":
        statuses = _statuses(seg, comp, f"STC at HL level {level.code}", with_amount=False)
        rejections = [s for s in statuses if s.category in REJECTION_CATEGORIES]
        if rejections:
            level.rejections.extend(rejections)
            level.rejection_segments.append(seg)


def _statuses(seg: list[str], comp: str, where: str, with_amount: bool) -> list[_Status]:
    """One status per composite STC01, STC10, STC11 (all share STC02 date and STC04 amount)."""
    date = to_date(element(seg, 2), f"{where}: STC02 status date")
    amount = opt_decimal(element(seg, 4), f"{where}: STC04 amount") if with_amount else None
    out = []
    for index in (1, 10, 11):
        value = element(seg, index)
        if value is None:
            continue
        parts = value.split(comp)
        category = parts[0]
        if not category:
            raise X12ValueError(f"{where}: STC{index:02d} {value!r} has no category code")
        out.append(
            _Status(
                category=category,
                status_code=parts[1] or None if len(parts) > 1 else None,
                entity_code=parts[2] or None if len(parts) > 2 else None,
                status_date=date,
                charge_amount=amount,
            )
        )
    if not out:
        raise X12ValueError(f"{where}: STC01 status is missing")
    return out


def _claim_statuses(
    claim: _Claim,
    txn: Transaction,
    report_date: dt.date | None,
    created: dt.datetime | None,
    comp: str,
) -> list[ClaimStatus]:
    in_line = False
    for seg in claim.segments[1:]:
        sid = seg[0]
        if sid == "SVC":
            in_line = True
        elif in_line:
            continue
        elif sid == "TRN" and claim.claim_id is None:
            claim.claim_id = element(seg, 2)
        elif sid == "STC":
            claim.statuses.extend(_statuses(seg, comp, "claim STC", with_amount=True))
        elif sid == "REF" and element(seg, 1) == "1K":
            claim.payer_claim_number = element(seg, 2)
    claim_id = require(claim.claim_id, "TRN02 claim reference (loop 2200D)")
    inherited = list(_inherited(claim.level))
    if not claim.statuses and not inherited:
        raise X12ValueError("claim has no STC status", "MissingSegment")
    payer_id = _payer_id(claim.level)
    env = txn.envelope
    found = [("claim", s) for s in claim.statuses] + inherited
    return [
        ClaimStatus(
            claim_id=claim_id,
            category_code=status.category,
            status_code=status.status_code,
            entity_code=status.entity_code,
            status_date=status.status_date,
            level=level,
            charge_amount=status.charge_amount,
            payer_claim_number=claim.payer_claim_number,
            payer_id=payer_id,
            report_date=report_date,
            sender_id=env.sender_id,
            interchange_control_number=env.interchange_control_number,
            transaction_control_number=env.transaction_control_number,
            group_created_at=created,
        )
        for level, status in found
    ]


def _inherited(level: _Level) -> Iterator[tuple[str, _Status]]:
    ancestor = level.parent
    while ancestor is not None:
        name = _LEVEL_NAMES.get(ancestor.code, f"hl_{ancestor.code}")
        for status in ancestor.rejections:
            yield name, status
        ancestor = ancestor.parent


def _payer_id(level: _Level) -> str | None:
    ancestor: _Level | None = level
    while ancestor is not None:
        if ancestor.payer_id is not None:
            return ancestor.payer_id
        ancestor = ancestor.parent
    return None
