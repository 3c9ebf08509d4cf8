"""Patient-accounting extract and schedule templates against the simulator's files: every
data row is one record, amounts per file equal an independent pandas reading, and landing
twice lands nothing new."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from ingest.formats import patient_accounting, schedule_templates
from ingest.pipeline import land_source, source_files
from ingest.records import DeadLetter
from simulator import generate
from simulator.faults import FaultParams

SOURCES = {"patient_accounting": patient_accounting, "schedule_templates": schedule_templates}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pa_net")
    generate(out, facilities=3, days=40, seed=3, faults=FaultParams.none())
    return out


@pytest.mark.parametrize("source", SOURCES)
def test_every_row_one_record_and_amounts_match_pandas(network: Path, source: str) -> None:
    folder = network / source
    files = list(source_files(folder))
    assert files
    total = 0
    for path in files:
        name = f"{source}/{path.relative_to(folder).as_posix()}"
        items = list(SOURCES[source].parse(path.read_bytes(), name))
        assert not [i for i in items if isinstance(i, DeadLetter)], name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert len(items) == len(frame), name
        total += len(items)
        if source == "patient_accounting":
            expected = sum((Decimal(v) for v in frame["amount"]), Decimal(0))
            assert sum((r.amount for r in items), Decimal(0)) == expected, name
            assert [r.transaction_id for r in items] == list(frame["transaction_id"])
        else:
            minutes = pd.to_numeric(frame["available_minutes"]).sum()
            assert sum(r.available_minutes for r in items) == minutes, name
    assert total > 0


@pytest.mark.parametrize("source", SOURCES)
def test_landing_twice_lands_nothing(network: Path, source: str, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    first = land_source(warehouse, source, network / source)
    rows = sum(len(pd.read_csv(p, dtype=str)) for p in source_files(network / source))
    assert all(b.conserved for b in first)
    assert sum(b.landed for b in first) == rows
    assert sum(b.dead_lettered + b.duplicates for b in first) == 0
    second = land_source(warehouse, source, network / source)
    assert all(b.skipped for b in second) and sum(b.landed for b in second) == 0
