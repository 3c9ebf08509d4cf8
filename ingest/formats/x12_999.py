"""X12 999 implementation acknowledgment (005010X231A1) and TA1 interchange acknowledgment
-> BatchAcknowledgment, TransactionSetAcknowledgment, InterchangeAcknowledgment.

A 999 answers one functional group (AK1: functional id, GS06 of the acknowledged group) with
one AK2 loop per transaction set (AK2-02 = its ST02; IK3 / IK4 / CTX errors; IK5 its
status) and AK9 for the group (A accepted, E accepted with errors, P partially accepted,
R / M / W / X rejected, with included / received / accepted counts). One
BatchAcknowledgment per 999 transaction, one TransactionSetAcknowledgment per AK2 loop; an
AK2 loop without IK5 is one dead letter, a 999 without AK1 / AK9 is one dead letter.

A TA1 (interchange acknowledgment) sits outside any transaction, right after an ISA: each
becomes one InterchangeAcknowledgment (TA101 = ISA13 acknowledged, TA104 A / E / R, TA105
note code). TA1 segments are taken out of the text before the transaction reader sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.formats._x12_common import expect_transaction, loop_dead_letter, read_x12, require
from ingest.formats._x12_group_time import group_created_at
from ingest.records import (
    BatchAcknowledgment,
    DeadLetter,
    InterchangeAcknowledgment,
    Record,
    TransactionSetAcknowledgment,
)
from ingest.x12 import (
    Envelope,
    Separators,
    Transaction,
    X12ValueError,
    decode,
    element,
    read_separators,
    to_date,
)

SOURCE = "x12_999"
PARSER_VERSION = "1.0.0"

GROUP_STATUSES = frozenset({"A", "E", "P", "R", "M", "W", "X"})
SET_STATUSES = frozenset({"A", "E", "R", "M", "W", "X"})
INTERCHANGE_STATUSES = frozenset({"A", "E", "R"})
_SEGMENT_ERRORS = {  # IK304
    "1": "unrecognized segment id",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation 'not used' segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent 'not used' segment present",
}
_ELEMENT_ERRORS = {  # IK403
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I10": "implementation 'not used' data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent 'not used' data element present",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
}


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """TA1 and 999 records of a file; anything else as dead letters. Never raises."""
    text, fallback = decode(data)
    try:
        ta1_items, rest = _take_ta1(text)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        ta1_items, rest = (
            [DeadLetter(SOURCE, "ParserError", f"TA1 scan failed: {exc!r}", text, 0)],
            "",
        )
    yield from ta1_items
    if not ta1_items or rest.strip():  # an interchange holding only a TA1 yields nothing more
        yield from read_x12(SOURCE, rest.encode("latin-1" if fallback else "utf-8"), _accept, _read)


# -- TA1 ----------------------------------------------------------------------------------------


def _take_ta1(text: str) -> tuple[list[Record | DeadLetter], str]:
    """InterchangeAcknowledgments of the TA1 segments, and the text without them."""
    start = len(text) - len(text.lstrip())
    if not text.startswith("ISA", start):
        return [], text
    seps = read_separators(text, start)
    if isinstance(seps, str):
        return [], text
    items: list[Record | DeadLetter] = []
    kept: list[str] = []
    isa: list[str] = []
    isa_raw = ""
    for raw in text.split(seps.segment):
        seg = raw.strip("\r\n").split(seps.element)
        if seg[0] == "ISA":
            isa, isa_raw = seg, raw.strip("\r\n")
        if seg[0] == "TA1":
            items.append(_ta1(seg, isa, isa_raw, seps, len(items)))
        else:
            kept.append(raw)
    return items, seps.segment.join(kept)


def _ta1(
    seg: list[str], isa: list[str], isa_raw: str, seps: Separators, index: int
) -> Record | DeadLetter:
    payload = f"{isa_raw}{seps.segment}\n{seps.element.join(seg)}{seps.segment}"
    try:
        status = require(element(seg, 4), "TA104 interchange acknowledgment code")
        if status not in INTERCHANGE_STATUSES:
            raise X12ValueError(f"TA104 {status!r} is not A, E or R")
        return InterchangeAcknowledgment(
            acknowledged_interchange_control_number=require(
                element(seg, 1), "TA101 interchange control number"
            ),
            acknowledged_interchange_date=to_date(element(seg, 2), "TA102"),
            acknowledged_interchange_time=element(seg, 3),
            status=status,
            note_code=element(seg, 5),
            sender_id=require(_trimmed(isa, 6), "ISA06 of the TA1's interchange"),
            receiver_id=_trimmed(isa, 8),
            interchange_control_number=require(_trimmed(isa, 13), "ISA13"),
        )
    except X12ValueError as exc:
        return DeadLetter(SOURCE, exc.error_class, f"TA1 #{index}: {exc}", payload, index)


def _trimmed(seg: list[str], i: int) -> str | None:
    return seg[i].strip() or None if len(seg) > i else None


# -- 999 ----------------------------------------------------------------------------------------


def _accept(envelope: Envelope) -> str | None:
    return expect_transaction(envelope, "999", "999 implementation acknowledgment", ())


@dataclass(slots=True)
class _Set:
    ak2: list[str]
    segments: list[list[str]] = field(default_factory=list)
    ik5: list[str] | None = None


@dataclass(frozen=True, slots=True)
class _Head:
    sender_id: str
    receiver_id: str | None
    report_date_text: str | None


def _head(txn: Transaction) -> _Head:
    """ISA08 receiver and GS04 date from the transaction's ISA / GS header text."""
    seps = txn.separators
    isa: list[str] = []
    gs: list[str] = []
    for raw in txn.raw.split(seps.segment)[:2]:
        seg = raw.strip("\r\n").split(seps.element)
        if seg[0] == "ISA":
            isa = seg
        elif seg[0] == "GS":
            gs = seg
    return _Head(txn.envelope.sender_id, _trimmed(isa, 8), element(gs, 4))


def _read(txn: Transaction) -> Iterator[Record | DeadLetter]:
    ak1: list[str] | None = None
    ak9: list[str] | None = None
    sets: list[_Set] = []
    for seg in txn.segments[1:-1]:
        sid = seg[0]
        if sid == "AK1":
            ak1 = seg
        elif sid == "AK2":
            sets.append(_Set(seg, [seg]))
        elif sid == "AK9":
            ak9 = seg
        elif sets and sets[-1].ik5 is None and sid in ("IK3", "IK4", "CTX", "IK5"):
            sets[-1].segments.append(seg)
            if sid == "IK5":
                sets[-1].ik5 = seg
    if ak1 is None:
        raise X12ValueError("999 has no AK1 functional group response header", "MissingSegment")
    if ak9 is None:
        raise X12ValueError("999 has no AK9 functional group response trailer", "MissingSegment")
    head = _head(txn)
    env = txn.envelope
    functional_id = require(element(ak1, 1), "AK1-01 functional identifier code")
    group = require(element(ak1, 2), "AK1-02 group control number")
    group_status = require(element(ak9, 1), "AK9-01 functional group acknowledge code")
    if group_status not in GROUP_STATUSES:
        raise X12ValueError(f"AK9-01 {group_status!r} is not an acknowledgment code")
    report_date = to_date(head.report_date_text, "GS04 date")
    created = group_created_at(txn)
    results: list[str] = []
    for number, one in enumerate(sets, 1):
        try:
            record = _set_record(one, functional_id, group, head, env, report_date, created)
        except X12ValueError as exc:
            yield loop_dead_letter(SOURCE, txn, one.segments, exc, f"AK2 loop #{number}")
            continue
        results.append(f"{record.acknowledged_transaction_control_number}:{record.status}")
        yield record
    yield BatchAcknowledgment(
        functional_id=functional_id,
        acknowledged_group_control_number=group,
        acknowledged_version=element(ak1, 3),
        group_status=group_status,
        transaction_sets_included=_count(ak9, 2, "AK9-02"),
        transaction_sets_received=_count(ak9, 3, "AK9-03"),
        transaction_sets_accepted=_count(ak9, 4, "AK9-04"),
        group_error_codes=_codes(ak9[5:10]),
        transaction_set_results=",".join(results) or None,
        sender_id=head.sender_id,
        receiver_id=head.receiver_id,
        report_date=report_date,
        interchange_control_number=env.interchange_control_number,
        group_control_number=env.group_control_number,
        transaction_control_number=env.transaction_control_number,
        group_created_at=created,
    )


def _set_record(
    one: _Set,
    functional_id: str,
    group: str,
    head: _Head,
    env: Envelope,
    report_date: dt.date | None,
    created: dt.datetime | None,
) -> TransactionSetAcknowledgment:
    ik5 = one.ik5
    if ik5 is None:
        raise X12ValueError(
            "AK2 loop has no IK5 transaction set response trailer", "MissingSegment"
        )
    status = require(element(ik5, 1), "IK5-01 transaction set acknowledgment code")
    if status not in SET_STATUSES:
        raise X12ValueError(f"IK5-01 {status!r} is not an acknowledgment code")
    errors = [s for s in one.segments if s[0] in ("IK3", "IK4", "CTX")]
    return TransactionSetAcknowledgment(
        functional_id=functional_id,
        acknowledged_group_control_number=group,
        acknowledged_transaction_set_id=require(element(one.ak2, 1), "AK2-01"),
        acknowledged_transaction_control_number=require(element(one.ak2, 2), "AK2-02"),
        acknowledged_version=element(one.ak2, 3),
        status=status,
        error_codes=_codes(ik5[2:7]),
        segment_errors=sum(1 for s in errors if s[0] == "IK3"),
        error_detail="; ".join(_describe(s) for s in errors) or None,
        sender_id=head.sender_id,
        receiver_id=head.receiver_id,
        report_date=report_date,
        interchange_control_number=env.interchange_control_number,
        group_control_number=env.group_control_number,
        transaction_control_number=env.transaction_control_number,
        group_created_at=created,
    )


def _describe(seg: list[str]) -> str:
    """One IK3 / IK4 / CTX segment as text a person can act on."""
    if seg[0] == "IK3":
        code = element(seg, 4) or ""
        loop = f" in loop {element(seg, 3)}" if element(seg, 3) else ""
        what = _SEGMENT_ERRORS.get(code, f"code {code}")
        return f"segment {element(seg, 1)} #{element(seg, 2)}{loop}: {what}"
    if seg[0] == "IK4":
        code = element(seg, 3) or ""
        bad = f" (value {element(seg, 4)!r})" if element(seg, 4) else ""
        what = _ELEMENT_ERRORS.get(code, f"code {code}")
        return f"element {element(seg, 1)} (ref {element(seg, 2) or '?'}): {what}{bad}"
    return "context " + "*".join(seg[1:])


def _codes(values: list[str]) -> str | None:
    return ",".join(v for v in values if v) or None


def _count(seg: list[str], i: int, where: str) -> int | None:
    value = element(seg, i)
    if value is None:
        return None
    if not value.isdigit():
        raise X12ValueError(f"{where} {value!r} is not a count")
    return int(value)
