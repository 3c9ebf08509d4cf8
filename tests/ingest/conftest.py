"""Builders for small hand-written X12 interchanges, and the comparison of an X12 reader's
fast reading with its reference reading."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

import pytest

from ingest.records import DeadLetter
from ingest.x12 import Transaction, X12ValueError, iter_transactions


def isa(
    control: str = "000000101",
    sender: str = "SUBMITTER",
    es: str = "*",
    rep: str = "^",
    comp: str = ":",
) -> str:
    """A fixed-width ISA segment (105 characters, without its terminator)."""
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        sender.ljust(15),
        "ZZ",
        "RECEIVER".ljust(15),
        "260105",
        "1200",
        rep,
        "00501",
        control,
        "0",
        "P",
        comp,
    ]
    text = es.join(fields)
    assert len(text) == 105
    return text


def transaction(
    st01: str, st02: str, body: Sequence[str], version: str | None = None, es: str = "*"
) -> list[str]:
    """ST + body + SE with the right segment count."""
    st = es.join(["ST", st01, st02, *([version] if version else [])])
    return [st, *body, es.join(["SE", str(len(body) + 2), st02])]


def interchange(
    transactions: Sequence[list[str]],
    version: str,
    functional_id: str = "HC",
    control: str = "000000101",
    gs06: str = "1",
    sender: str = "SUBMITTER",
    term: str = "~",
    newline: str = "\n",
    comp: str = ":",
) -> bytes:
    segments = [
        isa(control, sender, comp=comp),
        f"GS*{functional_id}*{sender}*RECEIVER*20260105*1200*{gs06}*X*{version}",
        *[seg for txn in transactions for seg in txn],
        f"GE*{len(transactions)}*{gs06}",
        f"IEA*1*{control}",
    ]
    return "".join(seg + term + newline for seg in segments).encode()


@pytest.fixture
def x12() -> Callable[..., bytes]:
    return interchange


@pytest.fixture
def txn() -> Callable[..., list[str]]:
    return transaction


# -- fast reading against reference reading (x12_835, x12_837) ---------------------------------


@dataclass
class Readings:
    fast: int = 0  # transactions the fast reading read itself
    handed_over: int = 0  # transactions it left to the reference reading
    clean_handed_over: int = 0  # of those, ones the reference reads without a dead letter


def same_items(fast: list[object], reference: list[object]) -> bool:
    """Item by item, type included (repr: an amount `NaN5` is read alike but never equal)."""
    return [(type(i), repr(i)) for i in fast] == [(type(i), repr(i)) for i in reference]


def compare_readings(
    reader: ModuleType, files: Iterable[bytes], amounts: dict[str, Decimal] | None = None
) -> Readings:
    """Read every transaction of `files` that `reader` accepts both ways and assert that
    `_read_transaction` (what `parse` calls) gives exactly the reference reading's records,
    or raises its transaction-level error; and that the fast reading, where it does not hand
    the transaction over, gives them too. `amounts`: a file's amounts kept across the
    transactions (as `parse` keeps them); None, a fresh one per transaction."""
    seen = Readings()
    for data in files:
        for txn in iter_transactions(data):
            if not isinstance(txn, Transaction) or reader._accept(txn.envelope) is not None:
                continue
            try:
                reference = list(reader._read_reference(txn))
            except X12ValueError as exc:
                with pytest.raises(X12ValueError, match=re.escape(str(exc))):
                    reader._read_transaction(txn, amounts)
                continue
            assert same_items(reader._read_transaction(txn, amounts), reference), txn.raw
            try:
                fast = reader._read_fast(txn, amounts)
            except Exception:  # noqa: BLE001 - the hand-over under test
                seen.handed_over += 1
                seen.clean_handed_over += not any(isinstance(i, DeadLetter) for i in reference)
                continue
            assert same_items(fast, reference), txn.raw
            seen.fast += 1
    return seen
