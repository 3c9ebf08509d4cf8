"""Source parsers by source name, and source detection from a file's content / name.

Every parser module exposes `SOURCE`, `PARSER_VERSION` and
`parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]` (see docs/contracts.md).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from types import ModuleType

from ingest.formats import (
    bai2,
    erp_master,
    fhir_appointment,
    hl7_siu,
    patient_accounting,
    schedule_templates,
    vendor_csv,
    x12_277,
    x12_835,
    x12_837,
    x12_999,
)

PARSERS: dict[str, ModuleType] = {
    module.SOURCE: module
    for module in (
        hl7_siu,
        fhir_appointment,
        vendor_csv,
        x12_837,
        x12_277,
        x12_835,
        erp_master,
        x12_999,
        bai2,
        schedule_templates,
        patient_accounting,
    )
}
_X12_SOURCES = {
    "837": "x12_837",
    "277": "x12_277",
    "276": "x12_277",  # the claim status request travels with its 277 response
    "835": "x12_835",
    "999": "x12_999",
}
_SNIFF_BYTES = 8192


def detect_source(data: bytes, filename: str) -> str | None:
    """x12_837 / x12_277 (277, 276) / x12_835 / x12_999 from the first ST01 of an X12 file
    (with or without an ISA header; an interchange holding a TA1 is x12_999), hl7_siu for
    `MSH|`, bai2 for a `01,` file header, fhir for a JSON object / NDJSON line with a
    `resourceType`,
    patient_accounting / schedule_templates for a `.csv` under that folder or with that header,
    vendor_csv for a `.csv` under a `vendor_csv/` folder or whose header fits a clinic mapping,
    erp_master for another `.csv` name; None when unknown."""
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf\x0b \t\r\n")
    if head.startswith(b"ISA") and len(head) > 3:
        return _x12_source(head, head[3:4]) or _ta1_source(head, head[3:4])
    if head.startswith(b"ST") and len(head) > 2 and not head[2:3].isalnum():
        return _x12_source(head, head[2:3])
    if head.startswith(b"MSH|"):
        return "hl7_siu"
    if head.startswith(b"01,") and _is_bai2(head):
        return "bai2"
    if head.startswith(b"{") and b'"resourceType"' in head:
        return "fhir"
    if filename.lower().endswith(".csv"):
        parts = PurePosixPath(filename.replace("\\", "/")).parts
        if (extract := _extract_source(parts, head)) is not None:
            return extract
        in_vendor_folder = vendor_csv.SOURCE in parts
        if in_vendor_folder or vendor_csv.mapping_for_header(data) is not None:
            return "vendor_csv"
        return "erp_master"
    return None


def _x12_source(head: bytes, element: bytes) -> str | None:
    marker = b"ST" + element
    start = 0 if head.startswith(marker) else head.find(marker)
    while start != -1:
        if start == 0 or not head[start - 1 : start].isalnum():
            st01 = head[start + 3 : start + 6].decode("latin-1")
            return _X12_SOURCES.get(st01)
        start = head.find(marker, start + 1)
    return None


def _ta1_source(head: bytes, element: bytes) -> str | None:
    marker = b"TA1" + element
    at = head.find(marker)
    return "x12_999" if at > 0 and not head[at - 1 : at].isalnum() else None


def _is_bai2(head: bytes) -> bool:
    """A BAI2 file header: `01,sender,receiver,YYMMDD,HHMM,file id,...` then `02,` groups."""
    first = head.split(b"/", 1)[0].split(b",")
    return len(first) >= 6 and first[3].isdigit() and len(first[3]) == 6 and b"\n02," in head


def _extract_source(parts: tuple[str, ...], head: bytes) -> str | None:
    """patient_accounting / schedule_templates by folder, else by header row."""
    for module in (patient_accounting, schedule_templates):
        if module.SOURCE in parts:
            return module.SOURCE
    header = [c.strip() for c in head.split(b"\n", 1)[0].decode("latin-1").split(",")]
    if header == list(schedule_templates.COLUMNS):
        return schedule_templates.SOURCE
    if any(header == list(columns) for _, columns in patient_accounting.FILES.values()):
        return patient_accounting.SOURCE
    return None
