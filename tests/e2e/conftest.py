"""One simulated network, generated with a fixed seed and materialized in-process once per
session; the end-to-end tests read what that run produced."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.runner import RunOutcome, materialize_all
from orchestration.settings import Settings

SEED = 11
FACILITIES = 3
DAYS = 90
_ENV_KEYS = ("HCOPS_HOME", "HCOPS_WAREHOUSE", "HCOPS_PSEUDONYM_KEY", "DAGSTER_HOME")


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    saved = {key: os.environ.get(key) for key in _ENV_KEYS}
    settings = Settings(home=tmp_path_factory.mktemp("hcops_home"), pseudonym_key="test-key")
    settings.ensure_dirs()
    settings.export_env()
    yield settings
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def generated(e2e_settings: Settings) -> Path:
    from simulator import generate

    generate(
        e2e_settings.landing, facilities=FACILITIES, days=DAYS, seed=SEED,
        start=dt.date(2026, 1, 5),
    )
    return e2e_settings.landing


@pytest.fixture(scope="session")
def first_run(e2e_settings: Settings, generated: Path) -> RunOutcome:
    outcome = materialize_all(e2e_settings)
    assert outcome.success, outcome.summary()
    return outcome
