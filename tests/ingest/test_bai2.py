"""BAI2 deposit files: own reader, checked against the `bai2` package on the same files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from bai2 import bai2 as bai2_package

from ingest.formats import PARSERS, bai2, detect_source
from ingest.landing import ensure_raw_schema, land_file
from ingest.records import BankDeposit, DeadLetter

ACCOUNT_1 = [
    "03,123456789,USD,010,500000,,,015,750000,,/",
    "16,165,150000,0,BR0001,EFT0001,ACH CREDIT PAYER ONE/",
    "16,169,200000,0,BR0002,,PAYMENT FROM PAYER TWO",
    "88,TRN*1*EFT0002*1999999999\\",
    "16,195,300000,S,100000,100000,100000,BR0003,WIRE77,INCOMING WIRE, REF 9/",
    "16,475,25000,V,260105,1200,BR0004,CHK1001,CHECK PAID/",
]
ACCOUNT_2 = [
    "03,987654321,,015,100,,/",
    "16,165,150000,0,BR0101,EFT0001,DUPLICATE AMOUNT OTHER ACCOUNT/",
    "16,165,150000,0,BR0101,EFT0001,DUPLICATE AMOUNT OTHER ACCOUNT/",
]


def _amounts(lines: list[str]) -> int:
    """Σ amounts of an account's records, read independently with the bai2 package rules."""
    text = "\n".join(
        [
            "01,B,H,260106,0800,F,,,2/",
            "02,H,B,1,260105,,USD,2/",
            *lines,
            "49,0,0/",
            "98,0,1,0/",
            "99,0,1,0/",
        ]
    )
    parsed = bai2_package.parse_from_string(text, check_integrity=False)
    account = parsed.children[0].children[0]
    return sum(s.amount or 0 for s in account.header.summary_items) + sum(
        d.amount for d in account.children
    )


def bai2_file(*accounts: list[str], file_id: str = "FILE001", tamper: int = 0) -> bytes:
    """A BAI2 file with correct trailers (totals and record counts)."""
    group: list[str] = ["02,HCOPS,BANK01,1,260105,2400,USD,2/"]
    group_total = 0
    for lines in accounts:
        total = _amounts(lines) + tamper
        group += [*lines, f"49,{total},{len(lines) + 1}/"]
        group_total += total
    group.append(f"98,{group_total},{len(accounts)},{len(group) + 1}/")
    lines = [f"01,BANKSENDER,HCOPS,260106,0800,{file_id},80,1,2/", *group]
    lines.append(f"99,{group_total},1,{len(lines) + 1}/")
    return ("\n".join(lines) + "\n").encode()


def test_deposits_of_a_file() -> None:
    items = list(bai2.parse(bai2_file(ACCOUNT_1), "deposits.bai"))
    assert all(isinstance(i, BankDeposit) for i in items) and len(items) == 4
    first = items[0]
    assert first == BankDeposit(
        account_number="123456789",
        currency="USD",
        as_of_date=dt.date(2026, 1, 5),
        type_code="165",
        direction="credit",
        amount=Decimal("1500.00"),
        funds_type="0",
        bank_reference="BR0001",
        customer_reference="EFT0001",
        text="ACH CREDIT PAYER ONE",
        trace_number="EFT0001",
        originator_id="BANK01",
        sender_id="BANKSENDER",
        file_id="FILE001",
        file_creation_date=dt.date(2026, 1, 6),
        occurrence=1,
    )
    continued, wire, check = items[1:]
    assert continued.text == "PAYMENT FROM PAYER TWO TRN*1*EFT0002*1999999999\\"
    assert continued.trace_number == "EFT0002" and continued.customer_reference is None
    assert (wire.funds_type, wire.bank_reference, wire.text) == (
        "S",
        "BR0003",
        "INCOMING WIRE, REF 9",
    )
    assert (check.direction, check.amount, check.bank_reference) == (
        "debit",
        Decimal("250.00"),
        "BR0004",
    )


def test_same_values_as_the_bai2_package() -> None:
    data = bai2_file(ACCOUNT_1, ACCOUNT_2)
    ours = [
        (
            d.account_number,
            d.type_code,
            int(d.amount * 100),
            d.bank_reference,
            d.customer_reference,
            d.text,
        )
        for d in bai2.parse(data, "x.bai")
        if isinstance(d, BankDeposit)
    ]
    parsed = bai2_package.parse_from_string(data.decode(), check_integrity=True)
    theirs = [
        (
            account.header.customer_account_number,
            detail.type_code.code,
            detail.amount,
            detail.bank_reference,
            detail.customer_reference,
            detail.text.removesuffix("/") if detail.text else None,
        )
        for group in parsed.children
        for account in group.children
        for detail in account.children
    ]
    assert ours == theirs and len(ours) == 6


def test_identical_details_are_kept_apart_and_a_resent_file_dedupes(tmp_path: Path) -> None:
    con = duckdb.connect()
    ensure_raw_schema(con)
    path = tmp_path / "a.bai"
    path.write_bytes(bai2_file(ACCOUNT_2))
    first = land_file(con, path, bai2.SOURCE, bai2.parse, bai2.PARSER_VERSION)
    assert (first.received, first.landed, first.duplicates) == (2, 2, 0)
    resent = tmp_path / "b.bai"  # the bank re-sends the same day under a new file id
    resent.write_bytes(bai2_file(ACCOUNT_2, file_id="FILE002"))
    again = land_file(con, resent, bai2.SOURCE, bai2.parse, bai2.PARSER_VERSION)
    assert (again.landed, again.duplicates) == (0, 2) and again.conserved
    occurrences = con.execute("select occurrence from raw.bank_deposit order by 1").fetchall()
    assert occurrences == [(1,), (2,)]


def test_account_control_total_mismatch_dead_letters_that_account() -> None:
    items = list(bai2.parse(bai2_file(ACCOUNT_1, ACCOUNT_2, tamper=1), "bad.bai"))
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [d.error_class for d in dead] == ["ControlTotalMismatch", "ControlTotalMismatch"]
    assert "49-01" in dead[0].reason and "123456789" in dead[0].reason
    # the payload is a self-contained file: it re-parses to the same complaint only
    (again,) = bai2.parse(dead[0].payload.encode(), "redrive")
    assert isinstance(again, DeadLetter) and again.reason == dead[0].reason


def test_bad_amount_is_an_account_dead_letter_the_other_account_lands() -> None:
    broken = [line.replace("150000,0,BR0001", "15O000,0,BR0001") for line in ACCOUNT_1]
    data = bai2_file(ACCOUNT_2).decode()
    data = data.replace("98,", "\n".join([*broken, "49,0,7/"]) + "\n98,", 1)
    items = list(bai2.parse(data.encode(), "x.bai"))
    kinds = [i.kind for i in items]
    assert kinds.count("bank_deposit") == 2
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert dead[0].error_class == "InvalidValue" and "'15O000'" in dead[0].reason


@pytest.mark.parametrize(
    ("data", "error_class", "words"),
    [
        (b"", "EnvelopeError", "file is empty"),
        (b"ISA*00*...", "EnvelopeError", "no BAI2 file header"),
    ],
)
def test_not_bai2(data: bytes, error_class: str, words: str) -> None:
    (dead,) = bai2.parse(data, "x")
    assert isinstance(dead, DeadLetter) and dead.error_class == error_class and words in dead.reason


def test_truncated_file_lands_complete_accounts() -> None:
    lines = bai2_file(ACCOUNT_2, ACCOUNT_1).decode().splitlines()
    cut = "\n".join(lines[:-6]).encode()  # inside the second account
    items = list(bai2.parse(cut, "cut.bai"))
    assert [i.kind for i in items] == ["bank_deposit", "bank_deposit", "dead_letter"]
    dead = items[-1]
    assert isinstance(dead, DeadLetter) and dead.error_class == "Truncated"
    assert "49 account trailer" in dead.reason


def test_registered_and_detected() -> None:
    data = bai2_file(ACCOUNT_1)
    assert detect_source(data, "x.txt") == "bai2" and PARSERS["bai2"] is bai2
