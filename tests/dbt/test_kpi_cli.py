"""`hcops kpis --json [--facility F] [--from D --to D]` (issue 5): over the whole window the
re-aggregation the registry describes (each kpi_scorecard column's `reaggregate` meta, decision
0022) gives kpi_scorecard itself, and over one month it gives the simulator's truth of that
month. On the shared default-knob network (tests/dbt/dbt_network.py).

In this process dbt-duckdb holds a read-write connection to the network's warehouse, which
DuckDB will not share with a read-only one: the tests read a checkpointed copy of it, through
the CLI's own read-only functions and the `hcops kpis` command itself."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dbt_network import Network
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.marts import (
    KPI_PROPERTIES,
    Window,
    read_scorecard,
    reaggregate_scorecard,
    scorecard_registry,
)


@pytest.fixture(scope="module")
def home(default_network: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An HCOPS_HOME holding a copy of the network's warehouse."""
    home = tmp_path_factory.mktemp("kpi_cli_home")
    with duckdb.connect(str(default_network.warehouse)) as con:
        con.execute("checkpoint")
    shutil.copyfile(default_network.warehouse, home / "warehouse.duckdb")
    return home


def run_kpis(home: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["kpis", "--json", *options], env={"HCOPS_HOME": str(home)})
    return result.exit_code, result.output


def rows(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def whole_window(home: Path) -> Window:
    """From the first date of service to a year after the as-of date: every dated row."""
    sql = "select first_service_date, as_of_date from marts.kpi_as_of_date"
    ((first, as_of),) = rows(home, sql)
    return Window(first, as_of + dt.timedelta(days=365))


def facilities(home: Path) -> list[str]:
    return [code for (code,) in rows(home, "select facility_code from marts.kpi_scorecard")]


def test_registry_covers_every_scorecard_column() -> None:
    models = yaml.safe_load(KPI_PROPERTIES.read_text())["models"]
    scorecard = next(m for m in models if m["name"] == "kpi_scorecard")
    columns = [c["name"] for c in scorecard["columns"]]
    registry = scorecard_registry()
    assert list(registry) == columns[1:]  # all but facility_code, in order
    ratios = [spec["ratio"] for spec in registry.values() if "ratio" in spec]
    assert ratios and all(set(pair) <= set(registry) for pair in ratios)
    marts = {m["name"] for m in models}
    sources = {
        spec[kind].split(".")[0]
        for spec in registry.values()
        for kind in ("sum", "at_period_end", "percentile")
        if kind in spec
    }
    assert sources <= marts and len(sources) >= 10


def test_whole_window_equals_the_scorecard(home: Path) -> None:
    warehouse = home / "warehouse.duckdb"
    codes = facilities(home)
    assert "ALL" in codes and len(codes) >= 3
    window = whole_window(home)
    for facility in codes:
        expected = read_scorecard(warehouse, facility)
        assert reaggregate_scorecard(warehouse, facility) == expected, facility
        assert reaggregate_scorecard(warehouse, facility, window) == expected, facility


def test_cli_prints_the_scorecard_and_its_window(home: Path) -> None:
    facility = next(code for code in facilities(home) if code != "ALL")
    window = whole_window(home)
    code, output = run_kpis(home, "--facility", facility)
    assert code == 0, output
    printed = json.loads(output)
    expected = read_scorecard(home / "warehouse.duckdb", facility)
    assert printed == json.loads(json.dumps(expected, default=str))

    options = ("--facility", facility, "--from", str(window.start), "--to", str(window.end))
    code, output = run_kpis(home, *options)
    assert code == 0, output
    windowed = json.loads(output)
    assert windowed.pop("window_start") == str(window.start)
    assert windowed.pop("window_end") == str(window.end)
    assert windowed == printed


def _month_window(month: str) -> Window:
    start = dt.date.fromisoformat(f"{month}-01")
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Window(start, following - dt.timedelta(days=1))


def _ratio(expected: dict[str, Any]) -> tuple[Any, ...]:
    return expected["numerator"], expected["denominator"]


def test_a_month_window_gives_the_truth_of_that_month(default_network: Network, home: Path) -> None:
    truth = default_network.truth_kpis()
    claim_kpis = truth["claim_kpis"]
    window_end = dt.date.fromisoformat(truth["window_end"])
    checked = 0
    for month, expected in claim_kpis["by_month"].items():
        window = _month_window(month)
        got = reaggregate_scorecard(home / "warehouse.duckdb", "ALL", window)
        # flows dated in the month (a payment may be dated after the window end), balances at
        # the month end or the as-of date
        assert got["as_of_date"] == min(window.end, window_end)
        assert (got["claim_cycle_time_median_days"], got["claims_adjudicated"]) == (
            expected["claim_cycle_time_days"]["median"],
            expected["claim_cycle_time_days"]["count"],
        )
        assert (got["initial_denial_numerator"], got["initial_denial_denominator"]) == _ratio(
            expected["initial_denial_rate"]
        )
        assert (got["first_pass_accepted_claims"], got["claims_submitted"]) == _ratio(
            expected["first_pass_acceptance_rate"]
        )
        assert (got["net_collections"], got["collectible_amount"]) == pytest.approx(
            _ratio(expected["net_collection_rate"]), abs=0.001
        )
        assert (got["underpayment_amount"], got["paid_claims"]) == pytest.approx(
            _ratio(expected["underpayment_variance"]), abs=0.001
        )
        net_days = claim_kpis["net_days_in_ar"]["by_month"][month]
        if got["unbilled_ar_estimate"] == 0:  # a month end before any unbilled visit: exact
            assert got["net_ar_amount"] == pytest.approx(net_days["numerator"], abs=0.001)
            assert got["net_days_in_ar"] == pytest.approx(net_days["value"], rel=1e-12)
            checked += 1
    assert checked >= 2


def test_facility_filter_and_bad_input(default_network: Network, home: Path) -> None:
    by_facility = default_network.truth_kpis()["claim_kpis"]["by_facility"]
    facility, expected = next(iter(by_facility.items()))
    got = reaggregate_scorecard(home / "warehouse.duckdb", facility, Window(None, None))
    assert (got["initial_denial_numerator"], got["initial_denial_denominator"]) == _ratio(
        expected["initial_denial_rate"]
    )
    with pytest.raises(LookupError, match="NOPE"):
        reaggregate_scorecard(home / "warehouse.duckdb", "NOPE", Window(None, None))
    code, output = run_kpis(home, "--from", "2026-03-01", "--to", "2026-02-01")
    assert code != 0 and "--from is after --to" in output
