"""Writeback fixtures: one provisioned Tryton template per session, copied per test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from writeback_testdata import write_master

from writeback.erp.tryton import TrytonLedger
from writeback.master_data import MasterData, read_latest_master_data

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def master(tmp_path_factory: pytest.TempPathFactory) -> MasterData:
    landing = tmp_path_factory.mktemp("landing")
    write_master(landing)
    return read_latest_master_data(landing)


@pytest.fixture(scope="session")
def template_ledger(tmp_path_factory: pytest.TempPathFactory, master: MasterData
                    ) -> TrytonLedger:
    ledger = TrytonLedger(tmp_path_factory.mktemp("erp_template"))
    started = time.perf_counter()
    report = ledger.provision(master, years=[2025])
    TIMINGS["provision (create db + activate modules + master data)"] = (
        time.perf_counter() - started)
    assert report.changed
    return ledger


@pytest.fixture
def ledger(template_ledger: TrytonLedger, tmp_path: Path) -> Iterator[TrytonLedger]:
    started = time.perf_counter()
    copy = TrytonLedger.clone(template_ledger, tmp_path / "erp")
    TIMINGS["clone template"] = time.perf_counter() - started
    yield copy


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.write_line("writeback timings:")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"  {name}: {seconds:.3f} s")
