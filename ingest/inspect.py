"""`hcops inspect FILE`: the records a file parses into, one JSON-able dict per record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.formats import PARSERS, detect_source
from ingest.records import DeadLetter, record_to_dict


def inspect_records(
    path: Path, source: str | None = None, filename: str | None = None
) -> Iterator[dict[str, Any]]:
    """One dict per record (`kind` first; dead letters as kind `dead_letter` with their
    fields). `source` overrides detection; `filename` is what the parser sees (for
    erp_master: `<YYYY-MM-DD>/<entity>.csv`; default: the parent folder name / the file name)."""
    data = path.read_bytes()
    name = filename or f"{path.parent.name}/{path.name}"
    source = source or detect_source(data, path.name)
    if source is None or source not in PARSERS:
        reason = f"cannot tell the source of {path.name}: not X12 (ISA / ST), HL7 (MSH|) or .csv"
        yield _dead_letter_dict(DeadLetter("unknown", "UnsupportedTransaction", reason, "", 0))
        return
    for item in PARSERS[source].parse(data, name):
        yield _dead_letter_dict(item) if isinstance(item, DeadLetter) else record_to_dict(item)


def _dead_letter_dict(dead: DeadLetter) -> dict[str, Any]:
    return {"kind": dead.kind, **dataclasses.asdict(dead)}


def _json_value(value: Any) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")  # a JSON number with the exact digits
    if isinstance(value, dt.datetime | dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, Decimal):
        return json.dumps(str(value))
    return json.dumps(value, ensure_ascii=False)


def to_json_line(d: dict[str, Any]) -> str:
    """One JSON line: Decimal amounts as JSON numbers with their exact digits, dates ISO."""
    items = ", ".join(f"{json.dumps(key)}: {_json_value(value)}" for key, value in d.items())
    return "{" + items + "}"
