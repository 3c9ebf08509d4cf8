"""`hcops kpis --json [--facility F] [--from D --to D]` (issue 5): over the whole window the
re-aggregation the registry describes (each kpi_scorecard column's `reaggregate` meta, decision
0022) gives kpi_scorecard itself, over one month the simulator's truth of that month, and over
any date range what a direct computation from the truth rows and the fact tables gives. The
operations KPIs (no-show, cancellation, occupancy, reconciliation breaks, integration failure,
transaction latency) are held to the truth overall and by facility. On the shared default-knob
network (tests/dbt/dbt_network.py).

In this process dbt-duckdb holds a read-write connection to the network's warehouse, which
DuckDB will not share with a read-only one: the tests read a checkpointed copy of it, through
the CLI's own read-only functions and the `hcops kpis` command itself."""

from __future__ import annotations

import csv
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

FLOAT_TOLERANCE = 1e-9  # percentile interpolation in floating point, nothing else
SCHEDULING = (  # scorecard columns = the truth's keys
    "no_show_rate_numerator", "no_show_rate_denominator", "no_show_rate",
    "cancellation_rate_numerator", "cancellation_rate_denominator", "cancellation_rate",
    "schedule_occupancy_numerator", "schedule_occupancy_denominator", "schedule_occupancy",
)  # fmt: skip
BANK_BREAKS = ("remits_without_deposit", "deposits_without_remit")
TIMED_SOURCES = ("hl7_siu", "fhir")  # X12 is not timed yet (decision 0024)


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
    """From the first date of service or delivery (master data and bookings arrive before the
    first visit) to a year after the as-of date: every dated row."""
    sql = """select least(first_service_date, (select min(kpi_date)
                                              from marts.kpi_integration_health_daily))
                , as_of_date
             from marts.kpi_as_of_date"""
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
    marts = {
        model["name"]
        for properties in KPI_PROPERTIES.parents[1].glob("*/_*.yml")
        for model in yaml.safe_load(properties.read_text()).get("models", [])
    }
    sources = {
        spec[kind].split(".")[0]
        for spec in registry.values()
        for kind in ("sum", "at_period_end", "percentile")
        if kind in spec
    }
    assert sources <= marts and len(sources) >= 15


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
        assert _breaks(got) == _truth_breaks(expected["reconciliation_breaks"]), month
        net_days = claim_kpis["net_days_in_ar"]["by_month"][month]
        if got["unbilled_ar_estimate"] == 0:  # a month end before any unbilled visit: exact
            assert got["net_ar_amount"] == pytest.approx(net_days["numerator"], abs=0.001)
            assert got["net_days_in_ar"] == pytest.approx(net_days["value"], rel=1e-12)
            checked += 1
    assert checked >= 2
    for month, expected in truth["by_month"].items():  # the scheduling truth, by service month
        got = reaggregate_scorecard(home / "warehouse.duckdb", "ALL", _month_window(month))
        assert {key: got[key] for key in SCHEDULING} == _scheduling(expected), month


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


def _scheduling(truth: dict[str, Any]) -> dict[str, Any]:
    return {key: truth[key] for key in SCHEDULING}


def _breaks(scorecard: dict[str, Any]) -> dict[str, Any]:
    names = ("claims_without_adjudication_45d", "remits_without_submission", *BANK_BREAKS)
    return {name: scorecard[name] for name in names}


def _truth_breaks(truth: dict[str, int], network: bool = True) -> dict[str, Any]:
    """The truth's break counts as scorecard columns; the bank breaks have no facility."""
    return {**truth, **({} if network else dict.fromkeys(BANK_BREAKS))}


def test_operations_kpis_overall_and_by_facility_equal_the_truth(
    default_network: Network, home: Path
) -> None:
    """No-show, cancellation and occupancy (network = the mapped facilities), reconciliation
    breaks, integration failure rate (every source) and the latency of the timed sources, as
    the scorecard prints them: exact, percentiles to floating-point rounding."""
    truth = default_network.truth_kpis()
    claim_kpis = truth["claim_kpis"]
    network = read_scorecard(home / "warehouse.duckdb", "ALL")
    assert truth["no_show_rate_denominator"] > 1000
    assert {key: network[key] for key in SCHEDULING} == _scheduling(truth)
    assert _breaks(network) == _truth_breaks(claim_kpis["overall"]["reconciliation_breaks"])
    failures = truth["integration_failure_rate"]
    assert (
        network["integration_failure_numerator"],
        network["integration_failure_denominator"],
        network["integration_failure_rate"],
    ) == (failures["dead_lettered"], failures["received"], failures["rate"])
    assert failures["dead_lettered"] > 0
    latency = truth["transaction_latency"]["by_source"]
    for source in TIMED_SOURCES:
        prefix = f"transaction_latency_{source}"
        assert network[f"{prefix}_messages"] == latency[source]["messages"] > 1000, source
        for key in ("p50_minutes", "p95_minutes"):
            assert network[f"{prefix}_{key}"] == pytest.approx(
                latency[source][key], abs=FLOAT_TOLERANCE
            ), (source, key)

    for facility, expected in truth["by_facility"].items():
        got = read_scorecard(home / "warehouse.duckdb", facility)
        assert {key: got[key] for key in SCHEDULING} == _scheduling(expected), facility
        breaks = claim_kpis["by_facility"][facility]["reconciliation_breaks"]
        assert got["claims_without_adjudication_45d"] == breaks["claims_without_adjudication_45d"]
        assert got["integration_failure_rate"] is None, facility  # no facility: ALL only
        assert got["transaction_latency_hl7_siu_p50_minutes"] is None, facility
        assert got["remits_without_deposit"] is got["deposits_without_remit"] is None
    # the pipeline names the facility of a remit without submission only when its CLP01 is a
    # known visit (decision 0024): the facility rows hold those, the network all of them
    ((unattributed,),) = rows(
        home,
        "select count(*) from marts.fct_reconciliation_breaks "
        "where break_type = 'remit_without_submission' and facility_code is null",
    )
    facility_rows = [code for code in facilities(home) if code not in ("ALL", "UNMAPPED")]
    attributed = sum(
        read_scorecard(home / "warehouse.duckdb", code)["remits_without_submission"]
        for code in facility_rows
    )
    assert attributed + unattributed == network["remits_without_submission"]


def test_scorecard_latency_of_x12_sources(default_network: Network, home: Path) -> None:
    """X12 latency from the group's creation time GS04 / GS05 (decision 0031)."""
    latency = default_network.truth_kpis()["transaction_latency"]["by_source"]
    network = read_scorecard(home / "warehouse.duckdb", "ALL")
    for source in ("x12_837", "x12_999", "x12_277", "x12_835"):
        prefix = f"transaction_latency_{source}"
        assert network[f"{prefix}_messages"] == latency[source]["messages"]
        assert network[f"{prefix}_p50_minutes"] == pytest.approx(
            latency[source]["p50_minutes"], abs=FLOAT_TOLERANCE
        )
        assert network[f"{prefix}_p95_minutes"] == pytest.approx(
            latency[source]["p95_minutes"], abs=FLOAT_TOLERANCE
        )


def _direct_operations(
    default_network: Network, home: Path, facility: str, window: Window
) -> dict[str, Any]:
    """The operations KPIs of one facility (or ALL) over `window`, computed without the
    registry or the daily marts: scheduling counts from the truth's appointments, available
    minutes from the template sessions, breaks from fct_reconciliation_breaks, integration
    failures from the truth per source and day, latency from fct_transaction_latencies."""
    start, end = window.start.isoformat(), window.end.isoformat()
    with (default_network.truth_dir / "appointments.csv").open(newline="") as handle:
        appointments = [
            row
            for row in csv.DictReader(handle)
            if start <= row["service_start"][:10] <= end
            and facility in ("ALL", row["facility_code"])
        ]
    outcomes = [row["final_status"] for row in appointments]
    no_shows, completed = outcomes.count("no_show"), outcomes.count("completed")
    occupied = sum(
        int(row["duration_minutes"])
        for row in appointments
        if row["final_status"] in ("completed", "no_show")
    )
    in_facility = "true" if facility == "ALL" else f"facility_code = '{facility}'"
    ((available,),) = rows(
        home,
        f"""select coalesce(sum(available_minutes), 0)
            from staging.stg_schedule_templates__template_sessions
            where template_date between '{start}' and '{end}' and {in_facility}""",
    )
    breaks = dict(
        rows(
            home,
            f"""select break_type, count(*) from marts.fct_reconciliation_breaks
                where break_date between '{start}' and '{end}'
                    and {in_facility}
                group by 1""",
        )
    )
    values: dict[str, Any] = {
        "no_show_rate_numerator": no_shows,
        "no_show_rate_denominator": completed + no_shows,
        "cancellation_rate_numerator": outcomes.count("cancelled"),
        "cancellation_rate_denominator": len(appointments),
        "schedule_occupancy_numerator": occupied,
        "schedule_occupancy_denominator": available,
        "claims_without_adjudication_45d": breaks.get("claim_without_adjudication", 0),
        "remits_without_submission": breaks.get("remit_without_submission", 0),
    }
    if facility != "ALL":
        return values
    per_day = default_network.truth_kpis()["integration_failure_rate"]["by_source_day"]
    days = [v for by_day in per_day.values() for d, v in by_day.items() if start <= d <= end]
    values |= {
        "remits_without_deposit": breaks.get("remit_without_deposit", 0),
        "deposits_without_remit": breaks.get("deposit_without_remit", 0),
        "integration_failure_numerator": sum(v["dead_lettered"] for v in days),
        "integration_failure_denominator": sum(v["received"] for v in days),
    }
    for source in TIMED_SOURCES:
        ((count, p50, p95),) = rows(
            home,
            f"""select count(*), quantile_cont(cast(latency_seconds as double) / 60, 0.5)
                    , quantile_cont(cast(latency_seconds as double) / 60, 0.95)
                from marts.fct_transaction_latencies
                where source = '{source}' and delivered_date between '{start}' and '{end}'""",
        )
        values |= {
            f"transaction_latency_{source}_messages": count,
            f"transaction_latency_{source}_p50_minutes": pytest.approx(p50, abs=FLOAT_TOLERANCE),
            f"transaction_latency_{source}_p95_minutes": pytest.approx(p95, abs=FLOAT_TOLERANCE),
        }
    return values


def test_a_date_range_reaggregates_like_a_direct_computation(
    default_network: Network, home: Path
) -> None:
    """A window across a month end (not a month: no truth bucket to lean on), for the network
    and each facility: the registry's sums and percentiles equal a direct computation."""
    window = Window(dt.date(2026, 1, 20), dt.date(2026, 2, 14))
    for facility in ("ALL", *default_network.truth_kpis()["by_facility"]):
        got = reaggregate_scorecard(home / "warehouse.duckdb", facility, window)
        expected = _direct_operations(default_network, home, facility, window)
        assert {key: got[key] for key in expected} == expected, facility
        assert (
            got["no_show_rate"]
            == expected["no_show_rate_numerator"] / (expected["no_show_rate_denominator"])
        )
        assert got["appointments_booked"] == expected["cancellation_rate_denominator"] > 100
    network = reaggregate_scorecard(home / "warehouse.duckdb", "ALL", window)
    assert network["integration_failure_denominator"] > 1000
    assert network["as_of_date"] == window.end
