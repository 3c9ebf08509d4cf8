"""X12 rendering helpers: segments, amounts, ST/SE and the ISA/GS envelope (separators `*`,
`:`, `~`, repetition `^`; a newline follows each segment terminator)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~\n"


def segment(*elements: object) -> str:
    """One segment; trailing empty elements are dropped (X12 rule)."""
    values = ["" if e is None else str(e) for e in elements]
    while values and values[-1] == "":
        values.pop()
    return ELEMENT.join(values)


def amount(value: Decimal) -> str:
    """X12 R type: no trailing zeros after the decimal point, no exponent."""
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def d8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def composite(*components: object) -> str:
    values = ["" if c is None else str(c) for c in components]
    while values and values[-1] == "":
        values.pop()
    return COMPONENT.join(values)


def transaction(set_id: str, control: int, version: str | None, body: list[str]) -> list[str]:
    """ST + body + SE with the segment count (ST and SE included)."""
    st02 = f"{control:04d}"
    return [segment("ST", set_id, st02, version), *body, segment("SE", len(body) + 2, st02)]


@dataclass(frozen=True)
class Envelope:
    sender: str  # ISA06 / GS02
    receiver: str  # ISA08 / GS03
    functional_id: str  # GS01: HC 837, HN 277, HP 835
    version: str  # GS08
    created: dt.datetime
    control: int  # ISA13 = GS06
    usage: str = "P"


def interchange(envelope: Envelope, transactions: list[list[str]]) -> str:
    """The whole file: ISA, one GS with the transactions, GE, IEA."""
    e = envelope
    isa = segment("ISA", "00", " " * 10, "00", " " * 10, "ZZ", e.sender.ljust(15), "ZZ",
                  e.receiver.ljust(15), e.created.strftime("%y%m%d"), e.created.strftime("%H%M"),
                  REPETITION, "00501", f"{e.control:09d}", "0", e.usage, COMPONENT)
    gs = segment("GS", e.functional_id, e.sender, e.receiver, e.created.strftime("%Y%m%d"),
                 e.created.strftime("%H%M"), e.control, "X", e.version)
    segments = [isa, gs, *(s for t in transactions for s in t),
                segment("GE", len(transactions), e.control),
                segment("IEA", 1, f"{e.control:09d}")]
    return "".join(s + TERMINATOR for s in segments)
