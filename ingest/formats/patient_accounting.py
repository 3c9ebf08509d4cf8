"""Patient-accounting extract (CSV with a header row) -> one typed record per row.

`filename` is `patient_accounting/<YYYY-MM-DD>/<file>.csv` (the `patient_accounting/` prefix is
optional): the folder is the extract date, the file stem the kind:

- `patient_payments.csv` -> `patient_payment` (... payer_id, channel, amount)
- `write_offs.csv` -> `write_off` (... payer_id, write_off_type, carc, amount)
- `appeals.csv` -> `appeal` (... appeal_event, carc, denial_date, appeal_deadline, amount)
- `refunds.csv` -> `refund` (... payer_id, payee, amount)

where `...` = transaction_id, posted_date, claim_id, facility_code, payer_id.
A file under another name is recognized by its header (the column naming the kind: channel,
write_off_type, appeal_event, payee). Columns are found by name (order free, extra columns
ignored). Required non-empty: transaction_id, posted_date, claim_id, amount; dates ISO
`YYYY-MM-DD`; amounts decimal. Each record is keyed on its transaction id.

Dead letters: a row with the wrong column count, an empty required value, an unreadable date or
amount (`InvalidValue`, reason = file, data row, line and column; payload = header + row, so
it can be re-driven alone; offset = 0-based data row); a file with no header, an unknown kind
or a header missing a column (`MissingSegment` / `UnsupportedResource`, one dead letter for
the file); undecodable bytes (`EncodingError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from ingest.records import Appeal, DeadLetter, PatientPayment, Record, Refund, WriteOff
from ingest.x12 import decode, undecodable

SOURCE = "patient_accounting"
PARSER_VERSION = "1.0.0"

_HEAD = ("transaction_id", "posted_date", "claim_id", "facility_code", "payer_id")
# file stem -> (record type, the columns of the file)
FILES: dict[str, tuple[type, tuple[str, ...]]] = {
    "patient_payments": (PatientPayment, (*_HEAD, "channel", "amount")),
    "write_offs": (WriteOff, (*_HEAD, "write_off_type", "carc", "amount")),
    "appeals": (
        Appeal,
        (*_HEAD, "appeal_event", "carc", "denial_date", "appeal_deadline", "amount"),
    ),
    "refunds": (Refund, (*_HEAD, "payee", "amount")),
}
_KIND_COLUMN = {
    "channel": "patient_payments",
    "write_off_type": "write_offs",
    "appeal_event": "appeals",
    "payee": "refunds",
}
REQUIRED = ("transaction_id", "posted_date", "claim_id", "amount")
DATE_COLUMNS = ("posted_date", "denial_date", "appeal_deadline")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RowError(ValueError):
    """A bad value in one column of a row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column!r}: {message}")


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Rows of one patient-accounting extract file; bad rows / files as dead letters. Never
    raises."""
    text = yield from decoded(SOURCE, data, filename)
    if text is None:
        return
    path = PurePosixPath(filename.replace("\\", "/"))
    header, rows = split_header(text)
    if header is None:
        yield DeadLetter(SOURCE, "MissingSegment", f"{filename}: no header row", text, 0)
        return
    stem = path.stem if path.stem in FILES else _kind_from_header(header)
    if stem is None:
        reason = (
            f"{filename}: not a patient-accounting extract (expected one of "
            f"{', '.join(f'{s}.csv' for s in FILES)}, or a header with one of "
            f"{', '.join(_KIND_COLUMN)})"
        )
        yield DeadLetter(SOURCE, "UnsupportedResource", reason, text, 0)
        return
    record_type, columns = FILES[stem]
    extract_date = _extract_date(path)

    def build(values: dict[str, str]) -> Record:
        fields: dict[str, Any] = {c: optional(values[c]) for c in columns}
        for column in REQUIRED:
            fields[column] = required(values, column)
        for column in DATE_COLUMNS:
            if column in fields:
                fields[column] = parse_date(column, values[column], column in REQUIRED)
        fields["amount"] = parse_amount("amount", values["amount"])
        return record_type(**fields, extract_date=extract_date)

    yield from typed_rows(SOURCE, filename, text, header, rows, columns, build)


def _kind_from_header(header: list[str]) -> str | None:
    found = {_KIND_COLUMN[c] for c in header if c in _KIND_COLUMN}
    return found.pop() if len(found) == 1 else None


def _extract_date(path: PurePosixPath) -> dt.date | None:
    match = _DATE.fullmatch(path.parent.name)
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(0))
    except ValueError:
        return None


# --- CSV helpers shared with ingest.formats.schedule_templates --------------------------------


def decoded(source: str, data: bytes, filename: str) -> Iterator[DeadLetter]:
    """Generator returning the text (BOM removed), or yielding one dead letter and returning
    None when the bytes are not text."""
    text, fallback = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if fallback and (ch := undecodable(text)) is not None:
        reason = f"{filename}: not text (control byte {ord(ch):#04x})"
        yield DeadLetter(source, "EncodingError", reason, text, 0)
        return None
    return text


def split_header(text: str) -> tuple[list[str] | None, csv.Reader]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(c.strip() for c in header):
        return None, reader
    return [c.strip() for c in header], reader


def typed_rows(
    source: str,
    filename: str,
    text: str,
    header: list[str],
    rows: Any,
    columns: tuple[str, ...],
    build: Callable[[dict[str, str]], Record],
) -> Iterator[Record | DeadLetter]:
    """One record per data row via `build(values by column)`; a row `build` rejects with a
    RowError, or of the wrong width, is a dead letter (payload = header + row)."""
    if missing := [c for c in columns if c not in header]:
        reason = f"{filename}: column(s) {', '.join(missing)} missing from the header"
        yield DeadLetter(source, "MissingSegment", reason, text, 0)
        return
    for index, row in enumerate(rows):
        if not row or not any(v.strip() for v in row):
            continue
        where = f"{filename} data row {index + 1} (line {rows.line_num})"
        payload = f"{_csv_line(header)}\n{_csv_line(row)}\n"
        if len(row) != len(header):
            reason = f"{where}: {len(row)} columns, the header has {len(header)}"
            yield DeadLetter(source, "InvalidValue", reason, payload, index)
            continue
        try:
            yield build(dict(zip(header, row, strict=True)))
        except RowError as error:
            yield DeadLetter(source, "InvalidValue", f"{where}: {error}", payload, index)


def optional(value: str) -> str | None:
    return value.strip() or None


def required(values: dict[str, str], column: str) -> str:
    value = values[column].strip()
    if not value:
        raise RowError(column, "empty")
    return value


def parse_date(column: str, value: str, mandatory: bool) -> dt.date | None:
    value = value.strip()
    if not value:
        if mandatory:
            raise RowError(column, "empty")
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"{value!r} is not a date YYYY-MM-DD") from None


def parse_amount(column: str, value: str) -> Decimal:
    value = value.strip()
    if not value:
        raise RowError(column, "empty")
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise RowError(column, f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise RowError(column, f"{value!r} is not an amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise RowError(column, f"{value!r} has more than two decimals")
    return amount


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()
