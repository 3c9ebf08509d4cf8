"""X12 claim status inquiry (276) and response (277), 005010X212 -> ClaimStatusInquiry.

Read by the `x12_277` source (its `parse` sends X212 transactions here; decision 0015).

HL levels: 20 information source (2100A NM1*PR = payer), 21 information receiver, 19 service
provider (2100C NM1*1P), 22 subscriber, 23 dependent. A claim is the 2200D / 2200E loop of an
HL 22 / 23 that carries a TRN; an HL 22 without TRN whose claims sit under its dependents
(HL 23) is not a claim.

* 276 (request): one record per claim (level "claim": TRN02, REF*EJ, REF*1K, AMT*T3,
  DTP*472) and one per service line asked about (2210D / 2210E SVC: level "line"); the
  status fields are null.
* 277 (response): one record per status composite (STC01, STC10, STC11) of every STC, at the
  level it was found: "receiver" (2200B: TRN02 = the 276's BHT03 trace), "provider" (2200C),
  "claim" (2200D / 2200E, with STC04 charge, STC05 paid, STC06 adjudication date, STC08 /
  STC09 check date and number) and "line" (2220D / 2220E after an SVC: SVC02 charge, SVC03
  paid). Unlike a 277CA, a status at a higher level is an answer about that level only
  (e.g. E0:24 provider not found): it is not copied to the claims below.

Dead letters: a claim loop that cannot be read (no TRN02, a 277 claim or line without STC, a
bad date / amount) is one loop dead letter, its other claims land; a receiver / provider
status without TRN02 likewise; anything else wrong makes the transaction one dead letter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.formats._x12_common import loop_dead_letter, require
from ingest.formats._x12_group_time import group_created_at
from ingest.records import ClaimStatusInquiry, DeadLetter, Record
from ingest.x12 import (
    Transaction,
    X12ValueError,
    coded,
    date_range,
    element,
    opt_decimal,
    to_date,
)

SOURCE = "x12_277"  # = x12_277.SOURCE (that module imports this one)
_BHT02_PURPOSE = {"276": frozenset({"13"}), "277": frozenset({"08"})}  # request, status
_LEVELS = {"20": "source", "21": "receiver", "19": "provider", "22": "claim", "23": "claim"}
_CLAIM_LEVELS = frozenset({"22", "23"})


@dataclass(slots=True)
class _Level:
    """One HL and the segments of its loops (2000x, 2100x, 2200x, 2210x / 2220x)."""

    code: str
    hl_id: str
    parent: _Level | None
    segments: list[list[str]] = field(default_factory=list)
    has_children: bool = False

    def find(self, qualifier: str) -> str | None:
        """NM109 of this level's NM1 with entity qualifier `qualifier`."""
        seg = next((s for s in self.segments if s[0] == "NM1" and element(s, 1) == qualifier), None)
        return element(seg, 9) if seg else None

    def inherited(self, qualifier: str) -> str | None:
        level: _Level | None = self
        while level is not None:
            if (value := level.find(qualifier)) is not None:
                return value
            level = level.parent
        return None


@dataclass(frozen=True, slots=True)
class _Context:
    """What every record of one transaction shares."""

    transaction_set_id: str
    report_date: dt.date | None
    sender_id: str
    interchange_control_number: str
    transaction_control_number: str
    component: str
    group_created_at: dt.datetime | None  # GS04 + GS05


@dataclass(frozen=True, slots=True)
class _Status:
    category: str
    status_code: str | None
    entity_code: str | None


def read_transaction(txn: Transaction) -> Iterator[Record | DeadLetter]:
    """Records (and loop dead letters) of one 276 or 277 X212 transaction."""
    st01 = txn.envelope.transaction_set_id
    levels: list[_Level] = []
    by_id: dict[str, _Level] = {}
    report_date = None
    for seg in txn.segments[1:-1]:
        sid = seg[0]
        if sid == "HL":
            levels.append(_hl(seg, by_id))
        elif sid == "BHT":
            coded(element(seg, 2), _BHT02_PURPOSE[st01], "BHT02 transaction set purpose")
            report_date = to_date(element(seg, 4), "BHT04 report date")
        elif levels:
            levels[-1].segments.append(seg)
    env = txn.envelope
    context = _Context(
        st01,
        report_date,
        env.sender_id,
        env.interchange_control_number,
        env.transaction_control_number,
        txn.separators.component,
        group_created_at(txn),
    )
    out: list[Record | DeadLetter] = []
    for level in levels:
        try:
            out.extend(_level_records(level, context))
        except X12ValueError as exc:
            what = f"{_LEVELS.get(level.code, 'HL')} loop HL*{level.hl_id}"
            out.append(loop_dead_letter(SOURCE, txn, level.segments, exc, what))
    return iter(out)


def _hl(seg: list[str], by_id: dict[str, _Level]) -> _Level:
    hl_id = require(element(seg, 1), "HL01 hierarchical id")
    parent_id = element(seg, 2)
    parent = by_id.get(parent_id) if parent_id else None
    if parent_id and parent is None:
        raise X12ValueError(f"HL*{hl_id} refers to an unknown parent HL {parent_id!r}")
    code = require(element(seg, 3), f"HL*{hl_id} level code (HL03)")
    if code not in _LEVELS:
        raise X12ValueError(f"HL*{hl_id} level code {code!r} is not 20, 21, 19, 22 or 23")
    if parent is not None:
        parent.has_children = True
    level = _Level(code, hl_id, parent, [seg])
    by_id[hl_id] = level
    return level


@dataclass(frozen=True, slots=True)
class _Subject:
    """What a record is about: a level with its trace, and the claim / line details."""

    hl: _Level
    level: str  # receiver | provider | claim | line
    trace: str
    patient_account_number: str | None = None
    payer_claim_number: str | None = None
    service_dates: tuple[dt.date | None, dt.date | None] = (None, None)
    line_number: int | None = None
    procedure_code: str | None = None
    charge: Decimal | None = None  # AMT*T3 (276 claim), SVC02 (line); else the STC04
    paid: Decimal | None = None  # SVC03 (line); else the STC05


def _level_records(level: _Level, context: _Context) -> list[ClaimStatusInquiry]:
    segments = level.segments[1:]
    trn = next((s for s in segments if s[0] == "TRN"), None)
    if level.code in _CLAIM_LEVELS:
        if trn is None and level.has_children:
            return []  # a subscriber whose claims are under its dependents
        trace = require(element(trn, 2) if trn else None, "TRN02 claim status trace (2200D/E)")
        return _claim_records(_Subject(level, "claim", trace), context)
    stcs = [s for s in segments if s[0] == "STC"]
    if not stcs:
        return []
    if context.transaction_set_id == "276":
        raise X12ValueError(f"STC in a 276 at HL*{level.hl_id}: a request carries no status")
    name = _LEVELS[level.code]
    trace = require(element(trn, 2) if trn else None, f"TRN02 trace of the {name} status")
    return _status_records(_Subject(level, name, trace), stcs, context)


def _claim_records(claim: _Subject, context: _Context) -> list[ClaimStatusInquiry]:
    own: list[list[str]] = []
    lines: list[list[list[str]]] = []
    for seg in claim.hl.segments[1:]:
        if seg[0] == "SVC":
            lines.append([seg])
        elif lines:
            lines[-1].append(seg)
        else:
            own.append(seg)
    refs = {element(s, 1): element(s, 2) for s in own if s[0] == "REF"}
    claim = replace(
        claim,
        patient_account_number=refs.get("EJ"),
        payer_claim_number=refs.get("1K"),
        service_dates=date_range(_dtp_472(own), "claim DTP*472 service date"),
    )
    line_subjects = [_line(claim, number, loop, context) for number, loop in enumerate(lines, 1)]
    if context.transaction_set_id == "276":
        amt = next((s for s in own if s[0] == "AMT" and element(s, 1) == "T3"), None)
        charge = opt_decimal(element(amt, 2) if amt else None, "AMT*T3 claim charge")
        subjects = [replace(claim, charge=charge), *(subject for subject, _ in line_subjects)]
        return [_record(context, subject) for subject in subjects]
    records = _status_records(claim, [s for s in own if s[0] == "STC"], context)
    for subject, stcs in line_subjects:
        records += _status_records(subject, stcs, context)
    return records


def _line(
    claim: _Subject, number: int, loop: list[list[str]], context: _Context
) -> tuple[_Subject, list[list[str]]]:
    """The subject of one SVC loop (2210 / 2220) and its STC segments."""
    svc, where = loop[0], f"service line {number} SVC"
    procedure = (element(svc, 1) or "").split(context.component)
    subject = replace(
        claim,
        level="line",
        line_number=number,
        procedure_code=procedure[1] if len(procedure) > 1 else None,
        service_dates=date_range(_dtp_472(loop), f"{where} DTP*472 service date"),
        charge=opt_decimal(element(svc, 2), f"{where}02 charge"),
        paid=opt_decimal(element(svc, 3), f"{where}03 payment"),
    )
    return subject, [s for s in loop if s[0] == "STC"]


def _dtp_472(segments: list[list[str]]) -> str | None:
    return next((element(s, 3) for s in segments if s[0] == "DTP" and element(s, 1) == "472"), None)


def _status_records(
    subject: _Subject, stcs: list[list[str]], context: _Context
) -> list[ClaimStatusInquiry]:
    """One record per status composite of each STC; a 277 claim or line needs one."""
    if not stcs:
        what = "claim" if subject.line_number is None else f"service line {subject.line_number}"
        raise X12ValueError(f"{what} has no STC status", "MissingSegment")
    where = f"{subject.level} STC"
    return [
        _record(context, subject, stc, status)
        for stc in stcs
        for status in _statuses(stc, context.component, where)
    ]


def _statuses(seg: list[str], comp: str, where: str) -> list[_Status]:
    """One status per composite STC01, STC10, STC11."""
    out = []
    for index in (1, 10, 11):
        value = element(seg, index)
        if value is None:
            continue
        parts = value.split(comp)
        if not parts[0]:
            raise X12ValueError(f"{where}: STC{index:02d} {value!r} has no category code")
        out.append(
            _Status(
                category=parts[0],
                status_code=(parts[1] or None) if len(parts) > 1 else None,
                entity_code=(parts[2] or None) if len(parts) > 2 else None,
            )
        )
    if not out:
        raise X12ValueError(f"{where}: STC01 status is missing")
    return out


def _record(
    context: _Context,
    subject: _Subject,
    stc: list[str] | None = None,
    status: _Status | None = None,
) -> ClaimStatusInquiry:
    """The record of a subject (with one status of one STC for a 277)."""
    seg = stc or []
    where = f"{subject.level} STC"
    charge = subject.charge
    if charge is None and subject.line_number is None:
        charge = opt_decimal(element(seg, 4), f"{where}: STC04 charge")
    paid = subject.paid
    if paid is None and subject.line_number is None:
        paid = opt_decimal(element(seg, 5), f"{where}: STC05 payment")
    return ClaimStatusInquiry(
        transaction_set_id=context.transaction_set_id,
        trace_number=subject.trace,
        level=subject.level,
        line_number=subject.line_number,
        patient_account_number=subject.patient_account_number,
        payer_claim_number=subject.payer_claim_number,
        category_code=status.category if status else None,
        status_code=status.status_code if status else None,
        entity_code=status.entity_code if status else None,
        status_date=to_date(element(seg, 2), f"{where}: STC02 status date"),
        charge_amount=charge,
        paid_amount=paid,
        adjudication_date=to_date(element(seg, 6), f"{where}: STC06 adjudication date"),
        payment_date=to_date(element(seg, 8), f"{where}: STC08 check issue date"),
        check_number=element(seg, 9),
        procedure_code=subject.procedure_code,
        service_date_from=subject.service_dates[0],
        service_date_to=subject.service_dates[1],
        payer_id=subject.hl.inherited("PR"),
        provider_id=subject.hl.inherited("1P"),
        report_date=context.report_date,
        sender_id=context.sender_id,
        interchange_control_number=context.interchange_control_number,
        transaction_control_number=context.transaction_control_number,
        group_created_at=context.group_created_at,
    )
