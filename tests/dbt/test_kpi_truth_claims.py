"""The revenue-cycle KPIs of the marts (models/marts/kpis) against the simulator's truth:
truth/kpis.json `claim_kpis` (overall, by facility, by month) and its top-level / `by_facility`
claim keys, on the shared default-knob network (tests/dbt/dbt_network.py: 2 facilities x 60
days, faults on, seed 23).

Exact: every count, money sum (to the cent), median and p90, and the rates they make. Two
comparisons cannot be exact, and say why:
- net days in A/R: the truth's net A/R includes the services not billed by the window end at
  their true expected reimbursement; the scheduling feeds carry neither payer nor billed lines,
  so the pipeline estimates them (fct_unbilled_encounters, decision 0021). The billed part is
  compared exactly; the estimate is held to what it can know (every estimate is a truly
  unbilled visit of the right payer, never above its truth; what it leaves out is a patient
  never billed), and net days to a stated tolerance.
- denial write-off ratio: the truth divides by the revenue of billed claims only, the marts by
  the same net patient service revenue as net days in A/R (billed + unbilled estimate). The
  billed revenue is compared exactly (reported to the simulator's owner).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from dbt_network import PSEUDONYM_KEY, Network

RATE_TOLERANCE = 1e-12  # the same two sums divided in Python and in SQL: float rounding only
# net days in A/R: the unbilled visits of patients never billed are not estimated (decision
# 0021); on this network they are a quarter of the truth's unbilled A/R, about 1 % of net days
NET_DAYS_RELATIVE_TOLERANCE = 0.03
OPEN_AGE_COLUMNS = {
    "0-30": "open_denials_0_30_days",
    "31-60": "open_denials_31_60_days",
    "61-90": "open_denials_61_90_days",
    "91+": "open_denials_over_90_days",
}
LAG_COLUMNS = {
    "total": "scheduling_to_revenue_lag",
    "booked_to_service": "booked_to_service",
    "service_to_submission": "service_to_submission",
    "submission_to_first_payment": "submission_to_payment",
}


def pseudonym(value: str) -> str:
    return hashlib.md5((PSEUDONYM_KEY + value).encode()).hexdigest()


def read_truth(network: Network, name: str) -> list[dict[str, str]]:
    with (network.truth_dir / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def records(network: Network, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    import duckdb

    # not read_only: dbt-duckdb keeps its own read-write connection open in this process
    with duckdb.connect(str(network.warehouse)) as con:
        cursor = con.execute(sql, params or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows(network: Network, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in records(network, sql)]


def cents(value: Any) -> float:
    return round(float(value or 0), 2)


def assert_ratio(expected: dict[str, Any], numerator: Any, denominator: Any, where: str) -> None:
    """numerator and denominator exact (to the cent), the value their quotient."""
    assert (cents(numerator), cents(denominator)) == (
        expected["numerator"],
        expected["denominator"],
    ), where
    if expected["value"] is None:
        assert not denominator, where
    else:
        value = float(numerator) / float(denominator)
        assert value == pytest.approx(expected["value"], rel=RATE_TOLERANCE), where


def assert_distribution(expected: dict[str, Any], median: Any, p90: Any, count: int, where: str):
    assert (median, p90, count) == (expected["median"], expected["p90"], expected["count"]), where


@pytest.fixture(scope="module")
def scorecard(default_network: Network) -> dict[str, dict[str, Any]]:
    return {
        row["facility_code"]: row
        for row in records(default_network, "select * from marts.kpi_scorecard")
    }


def test_claim_kpis_overall_and_by_facility(
    default_network: Network, scorecard: dict[str, dict[str, Any]]
) -> None:
    claim_kpis = default_network.truth_kpis()["claim_kpis"]
    groups = {"ALL": claim_kpis["overall"], **claim_kpis["by_facility"]}
    assert set(scorecard) == set(groups)  # no UNMAPPED claims on this network
    assert claim_kpis["overall"]["initial_denial_rate"]["denominator"] > 500
    for facility, expected in groups.items():
        row = scorecard[facility]
        assert_distribution(
            expected["claim_cycle_time_days"],
            row["claim_cycle_time_median_days"],
            row["claim_cycle_time_p90_days"],
            row["claims_adjudicated"],
            f"{facility} cycle time",
        )
        assert_ratio(
            expected["initial_denial_rate"],
            row["initial_denial_numerator"],
            row["initial_denial_denominator"],
            f"{facility} initial denial rate",
        )
        assert row["initial_denial_rate"] == pytest.approx(expected["initial_denial_rate"]["value"])
        assert_ratio(
            expected["initial_denial_rate_dollars"],
            row["initial_denied_charges"],
            row["initial_adjudicated_charges"],
            f"{facility} initial denial dollars",
        )
        assert_ratio(
            expected["initial_denial_rate_hfma"],
            row["initial_denial_hfma_numerator"],
            row["initial_denial_hfma_denominator"],
            f"{facility} HFMA initial denial rate",
        )
        assert_ratio(
            expected["first_pass_acceptance_rate"],
            row["first_pass_accepted_claims"],
            row["claims_submitted"],
            f"{facility} first-pass acceptance",
        )
        assert_distribution(
            expected["denial_resolution_days"],
            row["denial_resolution_median_days"],
            row["denial_resolution_p90_days"],
            row["denials_resolved"],
            f"{facility} denial resolution",
        )
        ages = {age: row[column] for age, column in OPEN_AGE_COLUMNS.items()}
        assert ages == expected["open_denials_by_age"], facility
        assert row["open_denials"] == sum(expected["open_denials_by_age"].values())
        assert (
            row["open_denials_past_appeal_deadline"]
            == expected["open_denials_past_appeal_deadline"]
        )
        assert_ratio(
            expected["net_collection_rate"],
            row["net_collections"],
            row["collectible_amount"],
            f"{facility} net collection rate",
        )
        variance = expected["underpayment_variance"]
        assert_ratio(variance, row["underpayment_amount"], row["paid_claims"], facility)
        assert row["underpaid_claims"] == variance["underpaid_claims"], facility
        assert row["claims_without_adjudication_45d"] == expected["claims_without_adjudication_45d"]
        for hop, column in LAG_COLUMNS.items():
            assert_distribution(
                expected["scheduling_to_revenue_lag_days"][hop],
                row[f"{column}_median_days"],
                row[f"{column}_p90_days"],
                row["paid_claims"],
                f"{facility} lag {hop}",
            )


def test_top_level_claim_keys(
    default_network: Network, scorecard: dict[str, dict[str, Any]]
) -> None:
    truth = default_network.truth_kpis()
    claims = dict(
        rows(
            default_network,
            "select coalesce(facility_code, 'UNMAPPED'), count(*) from marts.fct_claims group by 1",
        )
    )
    groups = {"ALL": truth, **truth["by_facility"]}
    for facility, expected in groups.items():
        row = scorecard[facility]
        total = sum(claims.values()) if facility == "ALL" else claims[facility]
        assert total == expected["claims"], facility
        assert row["paid_claims"] == expected["paid_claims"], facility
        assert row["claim_cycle_time_median_days"] == expected["claim_cycle_time_median_days"]
        assert row["initial_denial_numerator"] == expected["initial_denial_rate_numerator"]
        assert row["initial_denial_denominator"] == expected["initial_denial_rate_denominator"]
        assert row["initial_denial_rate"] == pytest.approx(expected["initial_denial_rate"])
        assert (
            row["scheduling_to_revenue_lag_median_days"]
            == expected["scheduling_to_revenue_lag_median_days"]
        )


def _month_sums(network: Network, mart: str, columns: str, month: str) -> dict[str, Any]:
    return records(
        network,
        f"select {columns} from marts.{mart} where strftime(kpi_date, '%Y-%m') = ?",
        [month],
    )[0]


def _month_distribution(
    network: Network, model: str, column: str, dated_by: str, month: str
) -> tuple[Any, Any, int]:
    row = records(
        network,
        f"""select quantile_cont({column}, 0.5) as median, quantile_cont({column}, 0.9) as p90,
               count({column}) as n
           from marts.{model} where strftime({dated_by}, '%Y-%m') = ?""",
        [month],
    )[0]
    return row["median"], row["p90"], row["n"]


def test_claim_kpis_by_month(default_network: Network) -> None:
    """Each KPI dated by its own event (first adjudication, submission, resolution, last
    adjudication, first payment, due day), summed from the daily marts by month."""
    by_month = default_network.truth_kpis()["claim_kpis"]["by_month"]
    assert len(by_month) >= 3
    net = default_network
    for month, expected in by_month.items():
        denials = _month_sums(
            net,
            "kpi_initial_denial_daily",
            "sum(denied_claims) as d, sum(adjudicated_claims) as a, "
            "sum(denied_charges) as dc, sum(adjudicated_charges) as ac",
            month,
        )
        assert_ratio(expected["initial_denial_rate"], denials["d"], denials["a"], month)
        assert_ratio(expected["initial_denial_rate_dollars"], denials["dc"], denials["ac"], month)
        assert_distribution(
            expected["claim_cycle_time_days"],
            *_month_distribution(
                net, "fct_claims", "cycle_time_days", "first_adjudication_date", month
            ),
            f"{month} cycle time",
        )
        submitted = _month_sums(
            net,
            "kpi_first_pass_acceptance_daily",
            "sum(first_pass_accepted_claims) as f, sum(submitted_claims) as s",
            month,
        )
        assert_ratio(expected["first_pass_acceptance_rate"], submitted["f"], submitted["s"], month)
        hfma = records(
            net,
            """select sum(denied_claims_3m) as d, sum(submitted_claims_3m) as s
               from marts.kpi_initial_denial_hfma_monthly where strftime(kpi_month, '%Y-%m') = ?""",
            [month],
        )[0]
        assert_ratio(expected["initial_denial_rate_hfma_3m"], hfma["d"], hfma["s"], month)
        assert_distribution(
            expected["denial_resolution_days"],
            *_month_distribution(
                net, "fct_denials", "days_to_resolution", "resolution_date", month
            ),
            f"{month} denial resolution",
        )
        write_offs = _month_sums(
            net,
            "kpi_denial_write_offs_daily",
            "sum(net_denial_write_off_amount) as w, sum(npsr_billed) as billed"
            ", sum(npsr_unbilled_estimate) as estimate",
            month,
        )
        assert_write_offs(
            expected["denial_write_off_ratio"],
            write_offs["w"],
            write_offs["billed"],
            write_offs["estimate"],
            month,
        )
        collections = _month_sums(
            net,
            "kpi_net_collection_daily",
            "sum(net_collected_amount) as c, sum(collectible_amount) as d",
            month,
        )
        assert_ratio(expected["net_collection_rate"], collections["c"], collections["d"], month)
        paid = _month_sums(
            net,
            "kpi_underpayment_daily",
            "sum(underpayment_amount) as u, sum(paid_claims) as p, sum(underpaid_claims) as n",
            month,
        )
        assert_ratio(expected["underpayment_variance"], paid["u"], paid["p"], month)
        assert (paid["n"] or 0) == expected["underpayment_variance"]["underpaid_claims"], month
        overdue = _month_sums(
            net, "kpi_adjudication_overdue_daily", "coalesce(sum(overdue_claims), 0) as n", month
        )
        breaks = expected["reconciliation_breaks"]["claims_without_adjudication_45d"]
        assert overdue["n"] == breaks, month
        for hop, column in LAG_COLUMNS.items():
            median, p90, count = _month_distribution(
                net, "fct_claims", f"{column}_days", "first_payment_date", month
            )
            assert_distribution(
                expected["scheduling_to_revenue_lag_days"][hop],
                median,
                p90,
                count,
                f"{month} {hop}",
            )


def test_as_of_date_is_the_window_end(default_network: Network) -> None:
    window_end = dt.date.fromisoformat(default_network.truth_kpis()["window_end"])
    assert rows(default_network, "select as_of_date from marts.kpi_as_of_date") == [(window_end,)]


def test_claims_carry_the_service_of_their_visit(default_network: Network) -> None:
    truth = {pseudonym(r["claim_id"]): r for r in read_truth(default_network, "claims.csv")}
    services = dict(rows(default_network, "select claim_key, service_code from marts.fct_claims"))
    assert services == {key: r["service_code"] for key, r in truth.items()}
    unlined = rows(
        default_network, "select count(*) from marts.fct_claims where service_line is null"
    )
    assert unlined == [(0,)]


def _truth_unbilled(network: Network) -> dict[str, dict[str, str]]:
    return {pseudonym(r["claim_id"]): r for r in read_truth(network, "unbilled_services.csv")}


def expected_sum(
    rows: list[dict[str, str]], facility: str | None, since: dt.date, until: dt.date
) -> Decimal:
    """Σ expected reimbursement of the truth rows of a facility (None: all) served in a span."""
    return sum(
        (
            Decimal(r["expected_reimbursement"])
            for r in rows
            if facility in (None, r["facility_code"])
            and since <= dt.date.fromisoformat(r["service_date"]) <= until
        ),
        Decimal("0"),
    )


def test_net_days_in_ar_billed_part_exact_at_every_period_end(default_network: Network) -> None:
    """Net A/R and the 90-day revenue of the billed claims: exact at every month end and at the
    window end, overall and by facility (the truth's value is its net A/R over the revenue of
    claims.csv and unbilled_services.csv, recomputed here)."""
    net_days = default_network.truth_kpis()["claim_kpis"]["net_days_in_ar"]
    unbilled = list(_truth_unbilled(default_network).values())
    claims = read_truth(default_network, "claims.csv")
    periods = [(None, v) for v in net_days["by_month"].values()]
    periods += [(f, v) for f, v in net_days["by_facility"].items()]
    assert len(periods) >= 4
    for facility, expected in periods:
        period_end = dt.date.fromisoformat(expected["period_end"])
        start = period_end - dt.timedelta(days=89)

        billed_revenue = expected_sum(claims, facility, start, period_end)
        truth_revenue = billed_revenue + expected_sum(unbilled, facility, start, period_end)
        assert float(expected["numerator"]) / (float(truth_revenue) / 90) == pytest.approx(
            expected["value"], rel=1e-9
        )
        where = "" if facility is None else "and facility_code = ?"
        args: list[Any] = [period_end] if facility is None else [period_end, facility]
        balance = records(
            default_network,
            f"""select sum(net_ar_amount) as ar, sum(unbilled_estimate_amount) as estimate
               from marts.kpi_net_ar_daily where kpi_date = ? {where}""",
            args,
        )[0]
        billed_ar = Decimal(str(expected["numerator"])) - expected_sum(
            unbilled, facility, dt.date.min, period_end
        )
        assert balance["ar"] - balance["estimate"] == billed_ar, (facility, period_end)
        revenue = records(
            default_network,
            f"""select sum(npsr_billed) as billed from marts.kpi_denial_write_offs_daily
               where kpi_date between ? and ? {where}""",
            [start, *args],
        )[0]
        assert revenue["billed"] == billed_revenue, (facility, period_end)


def test_unbilled_estimates_are_truly_unbilled_and_never_above_the_truth(
    default_network: Network, scorecard: dict[str, dict[str, Any]]
) -> None:
    truth = _truth_unbilled(default_network)
    estimates = records(
        default_network,
        """select unbilled.visit_key, unbilled.payer_id, unbilled.estimate_basis,
               unbilled.estimated_expected_reimbursement as estimate,
               exists (
                   select 1 from marts.fct_claims as claims
                   join intermediate.int_encounters_enriched as visits
                       on visits.visit_key = claims.claim_key
                   where visits.patient_key = encounters.patient_key
               ) as patient_billed
           from marts.fct_unbilled_encounters as unbilled
           join intermediate.int_encounters_enriched as encounters
               on encounters.visit_key = unbilled.visit_key""",
    )
    priced = [e for e in estimates if e["estimate"] is not None]
    assert len(priced) > len(truth) / 2
    for estimate in priced:  # a truly unbilled visit, its payer, at most its expected amount
        expected = truth[estimate["visit_key"]]
        assert estimate["payer_id"] == expected["payer_id"]
        assert estimate["estimate"] <= Decimal(expected["expected_reimbursement"])
    left_out = set(truth) - {e["visit_key"] for e in priced}
    assert all(not e["patient_billed"] for e in estimates if e["visit_key"] in left_out)

    net_days = default_network.truth_kpis()["claim_kpis"]["net_days_in_ar"]
    groups = {"ALL": net_days["overall"], **net_days["by_facility"]}
    for facility, expected in groups.items():
        got = scorecard[facility]["net_days_in_ar"]
        assert got == pytest.approx(expected["value"], rel=NET_DAYS_RELATIVE_TOLERANCE), facility
        assert got <= expected["value"]  # the estimate leaves out, never adds


def assert_write_offs(
    expected: dict[str, Any], written_off: Any, billed: Any, estimate: Any, where: str
) -> float | None:
    """Denial write-offs over net patient service revenue, billed or not (DESIGN §4, HFMA AR-6:
    the revenue of net days in A/R). Exact: the net write-offs and the billed revenue. The
    revenue of services not billed yet is the estimate of decision 0021, which leaves out the
    visits of patients never billed: never above the truth's. Returns the pipeline's ratio."""
    assert (cents(written_off), cents(billed)) == (
        expected["numerator"],
        expected["denominator_billed"],
    ), where
    total = cents(expected["denominator_billed"] + expected["denominator_unbilled"])
    assert total == expected["denominator"], where
    assert 0 <= cents(estimate) <= expected["denominator_unbilled"], where
    revenue = float(billed or 0) + float(estimate or 0)
    if expected["value"] is None:
        assert not revenue, where
        return None
    value = float(written_off or 0) / revenue
    assert value >= expected["value"] - RATE_TOLERANCE, where  # a smaller revenue, never larger
    return value


def test_denial_write_off_ratio_on_net_patient_service_revenue(
    default_network: Network, scorecard: dict[str, dict[str, Any]]
) -> None:
    claim_kpis = default_network.truth_kpis()["claim_kpis"]
    groups = {"ALL": claim_kpis["overall"], **claim_kpis["by_facility"]}
    for facility, expected in groups.items():
        revenue = records(
            default_network,
            f"""select sum(npsr_billed) as billed, sum(npsr_unbilled_estimate) as estimate
               from marts.kpi_denial_write_offs_daily
               {"" if facility == "ALL" else "where facility_code = ?"}""",
            [] if facility == "ALL" else [facility],
        )[0]
        expected_ratio = expected["denial_write_off_ratio"]
        assert expected_ratio["denominator_unbilled"] > 0, facility  # services not billed yet
        row = scorecard[facility]
        value = assert_write_offs(
            expected_ratio,
            row["net_denial_write_offs"],
            revenue["billed"],
            revenue["estimate"],
            facility,
        )
        assert row["net_patient_service_revenue"] == revenue["billed"] + revenue["estimate"]
        assert row["denial_write_off_ratio"] == pytest.approx(value, rel=RATE_TOLERANCE)
        # the estimate's shortfall, as in net days in A/R (decision 0021)
        assert float(row["net_patient_service_revenue"]) == pytest.approx(
            expected_ratio["denominator"], rel=NET_DAYS_RELATIVE_TOLERANCE
        ), facility
