"""The finance and operations pages show the scorecard's numbers, follow the facility filter,
and the finance page's journal table holds what one company collected for another (the
truth's intercompany amounts)."""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from orchestration.marts import read_scorecard
from orchestration.runner import RunOutcome
from orchestration.settings import REPO_ROOT, Settings
from simulator.truth import read_rows

PAGES = REPO_ROOT / "dashboards" / "pages"
FINANCE = {
    "Net days in A/R": ("net_days_in_ar", "{:.1f} days"),
    "Net collection rate": ("net_collection_rate", "{:.1%}"),
    "Denial write-off ratio": ("denial_write_off_ratio", "{:.1%}"),
    "Underpayment per paid claim": ("underpayment_variance_per_paid_claim", "${:,.2f}"),
}
OPERATIONS = {
    "No-show rate": ("no_show_rate", "{:.1%}"),
    "Cancellation rate": ("cancellation_rate", "{:.1%}"),
    "Schedule occupancy": ("schedule_occupancy", "{:.1%}"),
    "Integration failure rate": ("integration_failure_rate", "{:.1%}"),
    "Claims past SLA without remit": ("claims_without_adjudication_45d", "{:,}"),
    "Remits without claim": ("remits_without_submission", "{:,}"),
    "835s without deposit": ("remits_without_deposit", "{:,}"),
    "Deposits without 835": ("deposits_without_remit", "{:,}"),
}


def _page(name: str) -> AppTest:
    st.cache_data.clear()  # process-global: never serve another test's frames
    page = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    page.run()
    assert not page.exception, page.exception
    return page


def _expected(shown: dict[str, tuple[str, str]], scorecard: dict) -> dict[str, str]:
    def text(value: object, pattern: str) -> str:
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        return "n/a" if missing else pattern.format(value)

    return {label: text(scorecard[column], pattern) for label, (column, pattern) in shown.items()}


@pytest.mark.parametrize(("name", "shown"), [("finance", FINANCE), ("operations", OPERATIONS)])
def test_page_shows_the_scorecard_for_every_facility(
    name: str, shown: dict, e2e_settings: Settings, first_run: RunOutcome
) -> None:
    page = _page(name)
    assert page.selectbox[0].value == "ALL"
    overall = _expected(shown, read_scorecard(e2e_settings.warehouse, "ALL"))
    assert {m.label: m.value for m in page.metric} == overall
    assert "n/a" not in overall.values()  # every KPI has a denominator network-wide
    for facility in [f for f in page.selectbox[0].options if f != "ALL"]:
        page.selectbox[0].select(facility).run()
        expected = _expected(shown, read_scorecard(e2e_settings.warehouse, facility))
        assert {m.label: m.value for m in page.metric} == expected, facility


def test_operations_page_lists_latency_of_every_source(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    scorecard = read_scorecard(e2e_settings.warehouse, "ALL")
    [table] = _page("operations").dataframe
    shown = {row["source"]: row["messages"] for _, row in table.value.iterrows()}
    assert len(shown) == 7
    assert shown == {s: scorecard[f"transaction_latency_{s}_messages"] for s in shown}


def test_finance_page_shows_intercompany_balances_of_the_truth(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    owed: dict[str, Decimal] = defaultdict(Decimal)
    for row in read_rows(e2e_settings.landing / "truth" / "intercompany.csv"):
        owed[row["receiving_entity_code"]] += Decimal(row["amount"])
    [table] = _page("finance").dataframe
    rows = table.value
    # the page's frame holds floats (each a sum DuckDB made exactly): compare to the cent
    due_to = {
        r["company"]: -Decimal(f"{r['net']:.2f}") for _, r in rows.iterrows()
        if r["account"] == "2050"
    }
    assert owed and due_to == dict(owed)
    by_company = rows.groupby("company")[["debit", "credit"]].sum()
    assert ((by_company["debit"] - by_company["credit"]).abs() < 0.005).all()
