"""Generated datasets shared by the simulator tests (generated once per session)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simulator import GenerationSummary, generate


@pytest.fixture(scope="session")
def default_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary,
                                                                         float]:
    """The CLI defaults (3 facilities, 120 days, seed 7), with the generation time."""
    out = tmp_path_factory.mktemp("sim_default")
    began = time.perf_counter()
    summary = generate(out)
    return out, summary, time.perf_counter() - began


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One facility for five weeks, for the slow checks (pyx12 validation of every file).
    Seed 9 yields every 835 variant: line- and claim-level denials and a zero payment."""
    out = tmp_path_factory.mktemp("sim_small")
    generate(out, facilities=1, days=35, seed=9)
    return out
