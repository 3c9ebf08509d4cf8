"""One simulated network for the dbt tests that need a whole warehouse: generated with the
default knobs (claim lifecycle and delivery faults on), landed by the real landing code and
built once per session on DuckDB (models and seeds; the data and unit tests run in
test_dbt_build.py and on PostgreSQL). The KPI truth tests and the portability test share it."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.formats import PARSERS
from ingest.landing import ensure_raw_schema, land_file
from ingest.pipeline import source_files

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SEED = 23
FACILITIES = 2
DAYS = 60
START = dt.date(2026, 1, 5)
PSEUDONYM_KEY = "test-key"


@dataclass(frozen=True)
class DbtRun:
    statuses: dict[str, str]  # unique_id -> status
    resource_types: dict[str, str]  # unique_id -> resource type

    def count(self, resource_type: str) -> int:
        return sum(1 for kind in self.resource_types.values() if kind == resource_type)

    def built(self) -> set[str]:
        return {uid for uid, kind in self.resource_types.items() if kind in ("model", "seed")}


@dataclass(frozen=True)
class Network:
    work: Path
    landing: Path
    warehouse: Path
    on_duckdb: DbtRun

    @property
    def truth_dir(self) -> Path:
        return self.landing / "truth"

    def truth_kpis(self) -> dict[str, Any]:
        return json.loads((self.truth_dir / "kpis.json").read_text())

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        # not read_only: DuckDB refuses a read-only handle while this process holds the file
        # open read-write (dbt's in-process connection)
        with duckdb.connect(str(self.warehouse)) as con:
            return con.execute(sql, params or []).fetchall()

    def dbt_env(self) -> dict[str, str]:
        return {
            "HCOPS_WAREHOUSE": str(self.warehouse),
            "HCOPS_PSEUDONYM_KEY": PSEUDONYM_KEY,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }


@contextmanager
def scoped_env(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_build(target: str, work: Path, *options: str) -> DbtRun:
    """dbt build (seeds, models, unit tests, data tests) on one target; fails on any error."""
    from dbt.cli.main import dbtRunner

    common = [*options,
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target", target,
        "--target-path", str(work / f"target_{target}"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    statuses: dict[str, str] = {}
    kinds: dict[str, str] = {}
    result = dbtRunner().invoke(["--quiet", "build", *common])
    for node_result in result.result or []:
        statuses[node_result.node.unique_id] = str(node_result.status)
        kinds[node_result.node.unique_id] = str(node_result.node.resource_type)
    failures = {uid: s for uid, s in statuses.items() if s not in ("success", "pass")}
    assert result.success, f"dbt build on {target}: {result.exception} {failures}"
    return DbtRun(statuses, kinds)


def land_network(landing: Path, warehouse: Path) -> None:
    """Land every source folder with the real landing code. In memory first, then saved to the
    warehouse file: landing commits once per file, and a file commit costs ~50 ms here."""
    with duckdb.connect(":memory:") as con:
        ensure_raw_schema(con)
        for source, parser in PARSERS.items():
            folder = landing / source
            for path in source_files(folder):
                relative = f"{source}/{path.relative_to(folder).as_posix()}"
                land_file(con, path, source, parser.parse, parser.PARSER_VERSION, relative)
        con.execute(f"attach '{warehouse}' as warehouse")
        con.execute("copy from database memory to warehouse")


def build_network(work: Path) -> Network:
    from simulator import generate

    landing = work / "landing"
    generate(landing, facilities=FACILITIES, days=DAYS, seed=SEED, start=START)
    warehouse = work / "warehouse.duckdb"
    land_network(landing, warehouse)
    network = Network(work, landing, warehouse, DbtRun({}, {}))
    with scoped_env(network.dbt_env()):
        on_duckdb = dbt_build("duckdb", work, "--exclude-resource-type", "test", "unit_test")
    return Network(work, landing, warehouse, on_duckdb)
