"""The forecast feed (models/marts/forecasts, DESIGN §5 Forecasts, decision 0033) on the shared
default-knob network (tests/dbt/dbt_network.py: 2 facilities x 60 days, faults on, seed 23).

- Formula: the cash forecast's total per facility x payer equals Σ over the claims open at the
  as-of date of expected reimbursement x (1 - the payer's observed initial denial share) x the
  payer's paid-to-expected ratio, computed here from the simulator's truth/claims.csv (only the
  rounding of each weekly row to the cent differs). The timing curve moves money between weeks,
  never in or out.
- Curves: Kaplan-Meier shares and the extrapolated tail sum to 1 per payer.
- Backtest: the feed rebuilt as of 28 days before the as-of date (dbt var forecast_as_of, on a
  copy of the warehouse so the shared one keeps the default feed), its 4 weeks compared with the
  payments of the claims it forecasts (open at the cut-off, first paid in those 28 days).
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
# Backtest band, total over the 4 weeks against the payments of the claims the forecast speaks
# about. 25 %: the claim-level noise of ~700 open claims is a few percent; the rest is room for
# what one month of history cannot show (decision 0033): at the backtest cut-off four of the five
# payers have one payment each, so their timing past ~25 days is the extrapolated tail, and
# their denial share and payment ratio are the all-payer ones.
RELATIVE_ERROR_BAND = 0.25
# var('forecast_min_payer_claims') default: a payer's own estimates count from this many claims
MIN_PAYER_CLAIMS = 30
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


def _credible(estimates: dict[str, tuple[int, float]]) -> dict[str, float]:
    """The payers' own estimates from MIN_PAYER_CLAIMS claims on, and '*' (all payers)."""
    return {
        payer: value
        for payer, (claims, value) in estimates.items()
        if payer == "*" or claims >= MIN_PAYER_CLAIMS
    }


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
    return _credible({payer: (n, denied / n) for payer, (n, denied) in counts.items()})


def _payment_ratios(claims: list[dict[str, str]], cutoff: dt.date) -> dict[str, float]:
    """Σ paid / Σ expected reimbursement per payer, priced claims first paid by the cut-off."""
    sums: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for claim in claims:
        paid = _date(claim["first_payment_date"])
        if paid is None or paid > cutoff or claim["expected_reimbursement"] == "":
            continue
        for payer in (claim["payer_id"], "*"):
            sums[payer][0] += 1
            sums[payer][1] += Decimal(claim["paid_amount"])
            sums[payer][2] += Decimal(claim["expected_reimbursement"])
    return _credible({payer: (n, float(paid / exp)) for payer, (n, paid, exp) in sums.items()})


def _expected_by_segment(claims: list[dict[str, str]], cutoff: dt.date) -> dict[tuple, float]:
    probabilities = _denial_probabilities(claims, cutoff)
    ratios = _payment_ratios(claims, cutoff)
    expected: dict[tuple, float] = defaultdict(float)
    for claim in filter(lambda claim: _is_open(claim, cutoff), claims):
        p = probabilities.get(claim["payer_id"], probabilities["*"])
        ratio = ratios.get(claim["payer_id"], ratios["*"])
        amount = float(claim["expected_reimbursement"]) * (1 - p) * ratio
        expected[claim["facility_code"], claim["payer_id"]] += amount
    return expected


def _forecast_by_segment(warehouse: Path) -> dict[tuple, tuple[Decimal, int]]:
    """(Σ expected_receipts, weekly rows summed) per facility x payer."""
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select facility_code, payer_id, sum(expected_receipts), count(*)"
            " from marts.fct_cash_receipts_forecast group by all"
        ).fetchall()
    return {(facility, payer): (total, weeks) for facility, payer, total, weeks in rows}


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
    forecast = _forecast_by_segment(default_network.warehouse)
    assert set(forecast) == set(expected)
    for segment, amount in expected.items():
        # each weekly row is rounded to the cent once
        total, weekly_rows = forecast[segment]
        assert abs(float(total) - amount) <= 0.005 * weekly_rows, segment
    assert sum(expected.values()) > 10_000  # hundreds of open claims: not vacuous


def test_timing_curves_are_distributions(default_network: Network) -> None:
    rows = default_network.rows(
        "select payer_id, sum(payment_share), max(cumulative_share), bool_or(is_extrapolated),"
        " sum(paid_claims), max(payer_paid_claims)"
        " from marts.fct_payment_timing_curves group by payer_id"
    )
    assert {payer for payer, *_ in rows} >= {"*"}
    for payer, shares, cumulative, _, paid, payer_paid in rows:
        assert abs(shares - 1) < 1e-9 and abs(cumulative - 1) < 1e-9, payer
        assert paid == payer_paid, payer


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


def test_backtest_four_weeks_against_the_claims_it_forecasts(backtest: dict) -> None:
    # the forecast's weeks 1-4 against the paid amount of the claims open at the cut-off whose
    # first payment is dated in the 28 days after it. All payments that landed are printed, not
    # judged: they include claims submitted after the cut-off, which the forecast cannot know.
    error = _relative_error(backtest["forecast"], backtest["landed_open"])
    error_all = _relative_error(backtest["forecast"], backtest["landed_all"])
    print(
        f"backtest as of {backtest['cutoff']}: forecast {backtest['forecast']} (beyond 4 weeks "
        f"{backtest['forecast_beyond']}); paid on the claims open at the cut-off "
        f"{backtest['landed_open']} (error {error:+.1%}); all first payments landed "
        f"{backtest['landed_all']} ({error_all:+.1%})"
    )
    assert backtest["landed_open"] > 10_000
    assert abs(error) <= RELATIVE_ERROR_BAND
