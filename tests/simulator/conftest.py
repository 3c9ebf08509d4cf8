"""Generated datasets shared by the simulator tests (each generated once per session)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from simulator import GenerationSummary, generate


@pytest.fixture(scope="session")
def default_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary,
                                                                         float]:
    """The CLI defaults (3 facilities, 120 days, seed 7), with the generation time; delivery
    faults off (the fault layer has its own tests: test_sim_faults.py)."""
    from simulator.faults import FaultParams

    out = tmp_path_factory.mktemp("sim_default")
    began = time.perf_counter()
    summary = generate(out, faults=FaultParams.none())
    return out, summary, time.perf_counter() - began


@pytest.fixture(scope="session")
def clean_dataset(default_dataset: tuple[Path, GenerationSummary, float]) -> Path:
    """The CLI defaults with every fault off: the writers' output exactly as rendered (the
    scheduling feed, intercompany and truth-consistency tests)."""
    return default_dataset[0]


def _skeleton(out: Path, **kwargs: object) -> Path:
    """The issue-2 shape: HL7 only, no 999 / 277CA rejections, resubmissions, COB, reversals
    or PLB, every entity billing under its own TIN, no delivery faults (the full lifecycle:
    test_sim_claims_lifecycle.py)."""
    from simulator.claims.params import ClaimsParams
    from simulator.faults import FaultParams
    from simulator.scheduling import SchedulingParams

    generate(out, scheduling=SchedulingParams.skeleton(), claims=ClaimsParams.skeleton(),
             faults=FaultParams.none(), **kwargs)
    return out


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One facility for five weeks in the skeleton shape (HL7 parsing, pyx12 on its 835s).
    Seed 4 yields every 835 variant: line- and claim-level denials and a zero payment."""
    return _skeleton(tmp_path_factory.mktemp("sim_small"), facilities=1, days=35, seed=4)


@pytest.fixture(scope="session")
def skeleton_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI defaults (3 facilities, 120 days, seed 7) in the skeleton shape."""
    return _skeleton(tmp_path_factory.mktemp("sim_skeleton"))


@pytest.fixture(scope="session")
def lifecycle_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full claims lifecycle, 3 facilities x 90 days, seed 9, faults off: every X12 file
    of it is validated with pyx12 (test_sim_claims_lifecycle.py)."""
    from simulator.faults import FaultParams

    out = tmp_path_factory.mktemp("sim_lifecycle")
    generate(out, facilities=3, days=90, seed=9, faults=FaultParams.none())
    return out


@pytest.fixture(scope="session")
def fault_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path,
                                                                          GenerationSummary]]:
    """Three runs of the fault layer's network (simtest_faults): high fault rates twice (for
    determinism) and every fault off."""
    from simtest_faults import HIGH, run

    from simulator.faults import FaultParams

    root = tmp_path_factory.mktemp("faults")
    return {name: (root / name, run(root / name, params))
            for name, params in (("high", HIGH), ("again", HIGH),
                                 ("none", FaultParams.none()))}
