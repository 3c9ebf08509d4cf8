"""The dashboards in a real browser (Debian's Chromium driven by Playwright): the numbers a
person sees on the executive, finance and operations pages are the scorecard's, and the
executive page's facility filter changes them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_servers import free_port, wait_http

from orchestration.marts import read_scorecard
from orchestration.runner import RunOutcome
from orchestration.settings import REPO_ROOT, Settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium not installed (.ci/run installs it with apt-get)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def dashboard_url(e2e_settings: Settings, first_run: RunOutcome) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("streamlit")),
            "run",
            str(REPO_ROOT / "dashboards" / "app.py"),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        env={**os.environ, "HCOPS_HOME": str(e2e_settings.home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 90)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _shown_metrics(page) -> list[str]:
    page.get_by_text("Initial denial rate").first.wait_for(timeout=60_000)
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def _expected(scorecard: dict) -> list[str]:
    return [
        f"{scorecard['claim_cycle_time_median_days']:.1f} days",
        f"{scorecard['initial_denial_rate']:.1%}",
        f"{scorecard['scheduling_to_revenue_lag_median_days']:.1f} days",
    ]


def test_executive_page_in_chromium(
    dashboard_url: str, e2e_settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=CHROMIUM_ARGS,
            env={**os.environ, "HOME": str(tmp_path)},  # chromium writes its profile dirs there
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(dashboard_url)
        overall = _expected(read_scorecard(e2e_settings.warehouse, "ALL"))
        assert _shown_metrics(page) == overall

        truth = json.loads((e2e_settings.landing / "truth" / "kpis.json").read_text())
        facility = sorted(truth["by_facility"])[0]
        page.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name=facility, exact=True).click()
        expected = _expected(read_scorecard(e2e_settings.warehouse, facility))
        expect(page.get_by_test_id("stMetricValue").nth(2)).to_have_text(expected[2])
        assert _shown_metrics(page) == expected
        page.screenshot(path=str(tmp_path / "executive.png"), full_page=True)

        # the other pages, by their URL: the scorecard's numbers for the whole network
        network = read_scorecard(e2e_settings.warehouse, "ALL")
        for path, first_label, expected in [
            ("finance", "Net days in A/R", [
                f"{network['net_days_in_ar']:.1f} days",
                f"{network['net_collection_rate']:.1%}",
                f"{network['denial_write_off_ratio']:.1%}",
                f"${network['underpayment_variance_per_paid_claim']:,.2f}",
            ]),
            ("operations", "No-show rate", [
                f"{network['no_show_rate']:.1%}",
                f"{network['cancellation_rate']:.1%}",
                f"{network['schedule_occupancy']:.1%}",
                f"{network['integration_failure_rate']:.1%}",
            ]),
        ]:
            page.goto(f"{dashboard_url}{path}")
            page.get_by_text(first_label).first.wait_for(timeout=60_000)
            values = page.locator('[data-testid="stMetricValue"]')
            expect(values.nth(len(expected) - 1)).to_have_text(expected[-1])
            assert values.all_inner_texts()[: len(expected)] == expected, path
        browser.close()
