"""ERP master-data extracts (CSV with a header row) -> MasterDataRecord per row.

`filename` is the path of the file relative to the source folder, `<YYYY-MM-DD>/<entity>.csv`
(e.g. `2026-01-05/facilities.csv`): the entity is the file stem and the extract date is the
name of the parent folder. When only a bare file name is given, a `YYYY-MM-DD` in the file name
itself (`facilities_2026-01-05.csv`) is accepted; without any date the file is one dead letter.
The natural key is the first column, or the columns `NATURAL_KEYS` names for entities keyed by
more than one (a payer contract: payer, service, effective date); `attributes` is the row as a
JSON object (sorted keys, all values strings). A row with the wrong number of columns or an
empty key is a dead letter (offset = the 0-based data row index).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from ingest.records import DeadLetter, MasterDataRecord, Record
from ingest.x12 import decode, undecodable

SOURCE = "erp_master"
PARSER_VERSION = "1.0.0"

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
# entities whose business key spans several columns; every other entity: its first column
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "payer_contracts": ("payer_id", "service_code", "effective_from"),
}


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """Rows of one master-data CSV; bad rows / files as dead letters. Never raises."""
    text, fallback = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    path = PurePosixPath(filename.replace("\\", "/"))
    entity = path.stem
    extract_date = extract_date_of(path)
    if extract_date is None:
        reason = (
            f"no extract date for {filename!r}: expected the file under a YYYY-MM-DD folder "
            "(pass the path relative to the source folder, e.g. 2026-01-05/facilities.csv)"
        )
        yield DeadLetter(SOURCE, "InvalidValue", reason, text, 0)
        return
    if fallback and (ch := undecodable(text)) is not None:
        yield DeadLetter(
            SOURCE, "EncodingError", f"{filename}: not text (control byte {ord(ch):#04x})", text, 0
        )
        return
    yield from _rows(text, entity, extract_date, filename)


def extract_date_of(path: PurePosixPath) -> dt.date | None:
    """The date of the parent folder, else a date in the file name."""
    candidates = [path.parent.name, path.name]
    for candidate in candidates:
        match = _DATE.search(candidate)
        if match:
            try:
                return dt.date.fromisoformat(match.group(1))
            except ValueError:
                continue
    return None


def _rows(
    text: str, entity: str, extract_date: dt.date, filename: str
) -> Iterator[Record | DeadLetter]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not header[0].strip():
        yield DeadLetter(SOURCE, "MissingSegment", f"{filename}: no header row", text, 0)
        return
    columns = [c.strip() for c in header]
    key_columns = NATURAL_KEYS.get(entity, (columns[0],))
    if missing := [c for c in key_columns if c not in columns]:
        reason = f"{filename}: key column(s) {', '.join(missing)} missing from the header"
        yield DeadLetter(SOURCE, "MissingSegment", reason, text, 0)
        return
    for index, row in enumerate(reader):
        if not row or not any(v.strip() for v in row):
            continue
        raw = _raw_row(row)
        where = f"{filename} data row {index + 1} (line {reader.line_num})"
        if len(row) != len(columns):
            reason = f"{where}: {len(row)} columns, the header has {len(columns)}"
            yield DeadLetter(SOURCE, "InvalidValue", reason, raw, index)
        else:
            values = dict(zip(columns, row, strict=True))
            key = [values[c].strip() for c in key_columns]
            if not key[0]:
                reason = f"{where}: empty natural key ({key_columns[0]})"
                yield DeadLetter(SOURCE, "InvalidValue", reason, raw, index)
                continue
            attributes = json.dumps(values, sort_keys=True, ensure_ascii=False)
            yield MasterDataRecord(entity, extract_date, "|".join(key), attributes)


def _raw_row(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()
