"""Builders for small hand-written X12 interchanges."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest


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
