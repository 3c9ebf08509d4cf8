"""Messages received in one payload: the unit of the integration failure rate (DESIGN §4:
dead-lettered / received messages, per source and day), whatever number of records the parse
makes of each (an 837 transaction lands a claim per CLM, an NDJSON Appointment line may land its
implied booking too, a BAI2 file a deposit per detail).

Per source format (decision 0024):
- X12 (837, 999, 277 / 276, 835): a transaction set (ST .. SE);
- HL7 v2: a message (MSH ..);
- FHIR: an NDJSON line (one resource version), a Bundle entry, else one JSON document;
- BAI2: the file (one bank transmission);
- CSV extracts: a data row.

Counted from the payload as delivered, so a byte-identical copy or a re-sent 835 counts its
messages though it lands no new record; never fewer than its dead letters (a payload too broken
to frame still had them).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from ingest.formats.hl7_siu import split_messages

MessageCounter = Callable[[str], int]

_ISA_LENGTH = 106  # fixed-width ISA segment with its terminator
_BOM = "\ufeff"


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8").lstrip(_BOM)
    except UnicodeDecodeError:
        return data.decode("latin-1")


def x12_transactions(text: str) -> int:
    """ST segments, split by the separators of the (first) ISA header; 0 without one."""
    text = text.lstrip()
    if not text.startswith("ISA") or len(text) < _ISA_LENGTH:
        return 0
    element, terminator = text[3], text[_ISA_LENGTH - 1]
    if element.isalnum() or terminator.isalnum() or element == terminator:
        return 0
    opening = "ST" + element
    return sum(1 for segment in text.split(terminator) if segment.lstrip().startswith(opening))


def hl7_messages(text: str) -> int:
    return len(split_messages(text))


def fhir_resources(text: str) -> int:
    """One JSON document (a REST page, pretty-printed or not): a Bundle's entries, else 1;
    otherwise NDJSON: its non-blank lines (a broken line is one message too)."""
    try:
        document = json.loads(text)
    except ValueError:
        return sum(1 for line in text.splitlines() if line.strip())
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        return len(document.get("entry") or [])
    return 1


def csv_rows(text: str) -> int:
    """Data rows after the header (blank rows are no rows)."""
    rows = sum(1 for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row))
    return max(rows - 1, 0)


def one_per_payload(text: str) -> int:
    return 1 if text.strip() else 0


COUNTERS: dict[str, MessageCounter] = {
    "x12_837": x12_transactions,
    "x12_999": x12_transactions,
    "x12_277": x12_transactions,
    "x12_835": x12_transactions,
    "hl7_siu": hl7_messages,
    "fhir": fhir_resources,
    "bai2": one_per_payload,
    "vendor_csv": csv_rows,
    "erp_master": csv_rows,
    "patient_accounting": csv_rows,
    "schedule_templates": csv_rows,
}


def count_messages(source: str, data: bytes, dead_letters: int = 0) -> int:
    """Messages of `data` as `source` frames them (unknown source: one per payload), at least
    `dead_letters`."""
    counter = COUNTERS.get(source, one_per_payload)
    return max(counter(_text(data)), dead_letters)
