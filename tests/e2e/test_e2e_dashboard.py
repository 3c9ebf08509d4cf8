"""The executive page shows the scorecard's numbers and follows the facility filter."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from orchestration.marts import read_scorecard
from orchestration.runner import RunOutcome
from orchestration.settings import REPO_ROOT, Settings

APP = str(REPO_ROOT / "dashboards" / "app.py")


@pytest.fixture
def app(e2e_settings: Settings, first_run: RunOutcome) -> AppTest:
    st.cache_data.clear()  # process-global: never serve another test's frames
    page = AppTest.from_file(APP, default_timeout=60)
    page.run()
    assert not page.exception, page.exception
    return page


def _metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def _expected(scorecard: dict) -> dict[str, str]:
    return {
        "Claim cycle time (median)": f"{scorecard['claim_cycle_time_median_days']:.1f} days",
        "Initial denial rate": f"{scorecard['initial_denial_rate']:.1%}",
        "Scheduling-to-revenue lag (median)": (
            f"{scorecard['scheduling_to_revenue_lag_median_days']:.1f} days"
        ),
    }


def test_executive_page_shows_the_network_scorecard(app: AppTest, e2e_settings: Settings) -> None:
    assert app.selectbox[0].value == "ALL"
    assert _metrics(app) == _expected(read_scorecard(e2e_settings.warehouse, "ALL"))


def test_facility_filter_shows_that_facility(app: AppTest, e2e_settings: Settings) -> None:
    facilities = [f for f in app.selectbox[0].options if f != "ALL"]
    assert len(facilities) >= 3
    for facility in facilities:
        app.selectbox[0].select(facility).run()
        expected = _expected(read_scorecard(e2e_settings.warehouse, facility))
        assert _metrics(app) == expected, facility
