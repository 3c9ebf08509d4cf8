"""BAI2 bank balance and transaction files -> BankDeposit (one per 16 transaction detail).

Structure: `01` file header, `02` group header (originator, as-of date, currency), `03`
account identifier (account number, currency, summaries), `16` transaction details, `49`
account trailer (control total, record count), `98` group trailer, `99` file trailer; `88`
continues the previous record. Records end with `/`, except that the text of a `16` runs to
the end of its physical record (an `88` continues it, joined by a space; after a `/` by a
comma, as the `bai2` package reads it). Amounts are integers in cents.

Each account (`03` .. `49`) is checked against its trailer (Σ amounts of its summaries and
details = 49-01, physical records = 49-02); an account that fails, or holds a bad value, is
one dead letter whose payload is a self-contained BAI2 file (01, 02, the account, trailers
without totals) so that it can be re-driven. Group and file trailers are checked too; a
mismatch (an account missing or extra) is one dead letter, the consistent accounts land. A
file cut off before its trailers lands its complete accounts and dead-letters the rest.

The EFT trace number of an 835 (TRN02) is taken from a `TRN*1*<trace>` in the text, else the
customer reference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.records import BankDeposit, DeadLetter, Record
from ingest.x12 import decode

SOURCE = "bai2"
PARSER_VERSION = "1.0.0"

_FUNDS_EXTRA = {"S": 3, "V": 2}  # availability fields after the funds type; D: 1 + 2n
_TRN = re.compile(r"TRN\*1\*([^*~\\/\s]+)")
_CENTS = Decimal("0.01")


class BAI2ValueError(ValueError):
    def __init__(self, reason: str, error_class: str = "InvalidValue") -> None:
        super().__init__(reason)
        self.error_class = error_class


@dataclass(slots=True)
class _Record:
    code: str
    fields: list[str]
    lines: list[str]  # physical lines (the record and its 88 continuations)


@dataclass(slots=True)
class _Account:
    records: list[_Record] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for r in self.records for line in r.lines]


@dataclass(slots=True)
class _Group:
    header: _Record
    accounts: int = 0
    total: int = 0
    lines: int = 1


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """BankDeposits of a BAI2 file; bad accounts and envelope problems as dead letters."""
    text, _ = decode(data)
    try:
        yield from _Reader(text).run()
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        yield DeadLetter(SOURCE, "ParserError", f"BAI2 reader failed: {exc!r}", text, 0)


def logical_records(text: str) -> list[_Record]:
    """Physical lines joined with their 88 continuations; fields split on commas (a 16's
    text field keeps its commas: see `_detail`)."""
    records: list[_Record] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        code, _, rest = line.partition(",")
        if code == "88" and records:
            last = records[-1]
            joined = ",".join(last.fields)
            glue = "," if joined.endswith("/") else " "
            last.fields = (joined.removesuffix("/") + glue + rest).split(",")
            last.lines.append(line)
        else:
            records.append(_Record(code, rest.split(","), [line]))
    return records


def _fields(record: _Record) -> list[str]:
    """Fields of a non-text record, without the closing slash."""
    joined = ",".join(record.fields).strip()
    return joined.removesuffix("/").split(",")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.records = logical_records(text)
        self.header: _Record | None = None
        self.group: _Group | None = None
        self.account: _Account | None = None
        self.account_index = 0
        self.file_total = 0
        self.groups = 0
        self.file_lines = 0
        self.occurrences: dict[tuple[object, ...], int] = {}

    def run(self) -> Iterator[Record | DeadLetter]:
        if not self.records or self.records[0].code != "01":
            head = self.text.strip()[:20]
            where = f"file starts with {head!r}" if head else "file is empty"
            yield DeadLetter(
                SOURCE, "EnvelopeError", f"no BAI2 file header (01): {where}", self.text, 0
            )
            return
        for record in self.records:
            self.file_lines += len(record.lines)
            yield from self._record(record)
        if self.account is not None or self.group is not None or self.header is not None:
            yield self._truncated()

    def _record(self, record: _Record) -> Iterator[Record | DeadLetter]:
        code = record.code
        if self.account is not None:
            if code in ("16", "49"):
                self.account.records.append(record)
            if code == "49":
                account, self.account = self.account, None
                yield from self._close_account(account)
            elif code != "16":
                account, self.account = self.account, None
                yield self._dead(
                    "Truncated",
                    f"account #{self.account_index - 1} has no 49 trailer before a {code} record",
                    account.lines,
                    self.account_index - 1,
                )
                if code in ("03", "98", "99", "02"):
                    yield from self._record_outside(record)
            return
        yield from self._record_outside(record)

    def _record_outside(self, record: _Record) -> Iterator[Record | DeadLetter]:
        code, fields = record.code, _fields(record)
        if code == "01":
            self.header = record
        elif code == "02" and self.header is not None:
            self.group = _Group(record, lines=len(record.lines))
        elif code == "03" and self.group is not None:
            self.account = _Account([record])
            self.account_index += 1
        elif code == "98" and self.group is not None:
            group, self.group = self.group, None
            group.lines += len(record.lines)
            self.groups += 1
            self.file_total += group.total
            problem = _mismatch(fields, 0, group.total, "group control total (98-01)")
            problem = problem or _mismatch(fields, 1, group.accounts, "accounts (98-02)")
            problem = problem or _mismatch(fields, 2, group.lines, "records (98-03)")
            if problem:
                yield self._dead(
                    "ControlTotalMismatch",
                    f"group: {problem}",
                    [*group.header.lines, *record.lines],
                    0,
                )
        elif code == "99" and self.header is not None:
            self.header = None
            problem = _mismatch(fields, 0, self.file_total, "file control total (99-01)")
            problem = problem or _mismatch(fields, 1, self.groups, "groups (99-02)")
            problem = problem or _mismatch(fields, 2, self.file_lines, "records (99-03)")
            if problem:
                yield self._dead("ControlTotalMismatch", f"file: {problem}", record.lines, 0)
        else:
            where = "outside an account" if code == "16" else "out of sequence"
            yield self._dead(
                "InvalidValue", f"record {code!r} {where}", record.lines, self.account_index
            )

    def _close_account(self, account: _Account) -> Iterator[Record | DeadLetter]:
        index = self.account_index - 1
        assert self.group is not None and self.header is not None
        self.group.accounts += 1
        self.group.lines += len(account.lines)
        try:
            deposits, total = self._account(account)
        except BAI2ValueError as exc:
            trailer = _fields(account.records[-1])
            self.group.total += _int_or_zero(trailer[0] if trailer else "")
            yield self._dead(exc.error_class, f"account #{index}: {exc}", account.lines, index)
            return
        self.group.total += total
        yield from deposits

    def _account(self, account: _Account) -> tuple[list[BankDeposit], int]:
        assert self.group is not None and self.header is not None
        ident = _fields(account.records[0])
        number = ident[0].strip() if ident else ""
        if not number:
            raise BAI2ValueError("03-01 account number is empty", "MissingSegment")
        total = _summary_total(ident[2:], number)
        file_header = _fields(self.header)
        group_header = _fields(self.group.header)
        as_of = _date(_get(group_header, 3), "02-04 as-of date")
        if as_of is None:
            raise BAI2ValueError("02-04 as-of date is empty", "MissingSegment")
        deposits: list[BankDeposit] = []
        for record in account.records[1:-1]:
            detail, amount = self._detail(record, number, ident, file_header, group_header, as_of)
            deposits.append(detail)
            total += amount
        trailer = _fields(account.records[-1])
        problem = _mismatch(trailer, 0, total, "account control total (49-01)")
        problem = problem or _mismatch(trailer, 1, len(account.lines), "records (49-02)")
        if problem:
            raise BAI2ValueError(f"{number}: {problem}", "ControlTotalMismatch")
        return deposits, total

    def _detail(
        self,
        record: _Record,
        account: str,
        ident: list[str],
        file_header: list[str],
        group_header: list[str],
        as_of: dt.date,
    ) -> tuple[BankDeposit, int]:
        fields = record.fields
        if len(fields) < 3:
            raise BAI2ValueError(f"16 record {record.lines[0][:40]!r} has too few fields")
        type_code = fields[0].strip()
        if len(type_code) != 3 or not type_code.isdigit():
            raise BAI2ValueError(f"16-01 type code {type_code!r} is not 3 digits")
        cents = _amount(fields[1], "16-02 amount")
        funds = fields[2].strip().removesuffix("/")
        rest = fields[3:]
        skip = _FUNDS_EXTRA.get(funds, 0)
        if funds == "D":
            count = rest[0].strip() if rest else ""
            if not count.isdigit():
                raise BAI2ValueError(
                    f"16 funds type D: distribution count {count!r} is not a number"
                )
            skip = 1 + 2 * int(count)
        elif funds not in ("", "0", "1", "2", "Z", *_FUNDS_EXTRA):
            raise BAI2ValueError(f"16-03 funds type {funds!r} is not 0, 1, 2, S, V, D or Z")
        rest = rest[skip:]
        bank_ref = _clean(rest[0]) if rest else None
        customer_ref = _clean(rest[1]) if len(rest) > 1 else None
        text = _clean(",".join(rest[2:])) if len(rest) > 2 else None
        match = _TRN.search(text or "")
        trace = match.group(1) if match else customer_ref
        key = (account, as_of, type_code, cents, bank_ref, customer_ref)
        self.occurrences[key] = self.occurrences.get(key, 0) + 1
        deposit = BankDeposit(
            account_number=account,
            currency=_clean(_get(ident, 1)) or _clean(_get(group_header, 5)),
            as_of_date=as_of,
            type_code=type_code,
            direction=direction(type_code),
            amount=(Decimal(cents) * _CENTS).quantize(_CENTS),
            funds_type=funds or None,
            bank_reference=bank_ref,
            customer_reference=customer_ref,
            text=text,
            trace_number=trace,
            originator_id=_clean(_get(group_header, 1)),
            sender_id=_clean(_get(file_header, 0)) or "",
            file_id=_clean(_get(file_header, 4)) or "",
            file_creation_date=_date(_get(file_header, 2), "01-03 file creation date"),
            occurrence=self.occurrences[key],
        )
        return deposit, cents

    def _truncated(self) -> DeadLetter:
        """The file ended inside a group or account: what was open is dead-lettered."""
        lines = self.account.lines if self.account is not None else []
        missing = (
            "49 account trailer"
            if self.account
            else "98 group trailer"
            if self.group
            else "99 file trailer"
        )
        return self._dead(
            "Truncated", f"file ends without its {missing}", lines, self.account_index
        )

    def _dead(self, error_class: str, reason: str, lines: list[str], index: int) -> DeadLetter:
        """A dead letter whose payload re-parses on its own: the file and group headers, the
        lines, and trailers without totals (so that only the lines' own checks apply)."""
        head = [
            *(self.header.lines if self.header else []),
            *(self.group.header.lines if self.group else []),
        ]
        if lines and lines[0].startswith("03,") and head:
            payload = "\n".join([*head, *lines, "98,,1,/", "99,,1,/"])
        else:
            payload = "\n".join(lines or head)
        return DeadLetter(SOURCE, error_class, reason, payload, index)


def direction(type_code: str) -> str:
    """credit (BAI type codes 100-399), debit (400-699), else other."""
    code = int(type_code)
    return "credit" if 100 <= code < 400 else "debit" if 400 <= code < 700 else "other"


def _summary_total(parts: list[str], account: str) -> int:
    """Σ amounts of the 03 record's summaries (type, amount, item count, funds type, ...)."""
    total, i = 0, 0
    while i + 1 < len(parts) and any(p.strip() for p in parts[i:]):
        amount = parts[i + 1].strip()
        if amount:
            total += _amount(amount, f"03 summary amount of {account}")
        funds = parts[i + 3].strip() if len(parts) > i + 3 else ""
        i += 4 + _FUNDS_EXTRA.get(funds, 0)
        if funds == "D":
            count = parts[i].strip() if len(parts) > i else "0"
            i += 1 + 2 * (int(count) if count.isdigit() else 0)
    return total


def _mismatch(fields: list[str], i: int, actual: int, what: str) -> str | None:
    stated = _get(fields, i).strip()
    if not stated:  # not stated (a re-drive payload's synthesized trailer)
        return None
    try:
        value = int(stated)
    except ValueError:
        return f"{what} {stated!r} is not a number"
    return None if value == actual else f"{what} says {value}, the records add up to {actual}"


def _amount(value: str, where: str) -> int:
    text = value.strip().removesuffix("/")
    if not text.lstrip("+-").isdigit():
        raise BAI2ValueError(f"{where} {value!r} is not an amount in cents")
    return int(text)


def _int_or_zero(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return 0


def _date(value: str, where: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    if len(value) == 6 and value.isdigit():
        try:
            return dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
        except ValueError:
            pass
    raise BAI2ValueError(f"{where} {value!r} is not a date (YYMMDD)")


def _get(fields: list[str], i: int) -> str:
    return fields[i] if len(fields) > i else ""


def _clean(value: str) -> str | None:
    return value.strip().removesuffix("/").strip() or None
