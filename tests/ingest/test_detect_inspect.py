"""Source detection, the parser registry and `hcops inspect` output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import interchange, transaction
from test_x12_835 import BODY as REMIT

from ingest.formats import PARSERS, detect_source
from ingest.inspect import inspect_records, to_json_line


def test_registry() -> None:
    assert set(PARSERS) == {
        "hl7_siu",
        "fhir",
        "vendor_csv",
        "x12_837",
        "x12_277",
        "x12_835",
        "erp_master",
        "x12_999",
        "bai2",
        "schedule_templates",
        "patient_accounting",
    }
    for name, module in PARSERS.items():
        assert name == module.SOURCE and module.PARSER_VERSION


def test_detect_source() -> None:
    for st01, source in (("837", "x12_837"), ("277", "x12_277"), ("835", "x12_835")):
        data = interchange([transaction(st01, "1", ["BHT*1"])], "005010")
        assert detect_source(data, "x.dat") == source
    assert detect_source(b"ST*835*1234~BPR*I~", "f.txt") == "x12_835"  # no ISA
    assert detect_source(b"MSH|^~\\&|A", "f.hl7") == "hl7_siu"
    assert detect_source(b"a,b\n1,2\n", "2026-01-05/payers.csv") == "erp_master"
    assert detect_source(b"hello", "notes.txt") is None


def test_inspect_and_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "remit.x12"
    path.write_bytes(
        interchange(
            [transaction("835", "1", REMIT), transaction("835", "2", REMIT)[:-1]], "005010X221A1"
        )
    )
    rows = list(inspect_records(path))
    assert [r["kind"] for r in rows][:3] == [
        "remittance_payment",
        "remittance_claim",
        "remittance_line",
    ]
    assert all(next(iter(r)) == "kind" for r in rows)
    assert rows[-1]["kind"] == "dead_letter" and rows[-1]["error_class"] == "Truncated"
    line = to_json_line(rows[0])
    assert '"payment_amount": 120.00' in line and '"payment_date": "2026-01-15"' in line
    assert json.loads(line)["payment_amount"] == 120.0
    assert json.loads(to_json_line(rows[-1]))["offset"] == 1
