"""Shared fixtures: the public sample corpus (read in place, never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _corpus_dir() -> Path:
    configured = os.environ.get("HCOPS_CORPUS")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """../shared/corpus (or $HCOPS_CORPUS). Absent: skip, except under CI=true (a failure)."""
    path = _corpus_dir()
    if not path.is_dir():
        message = f"sample corpus not found at {path} (set HCOPS_CORPUS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


# `make test` runs two pytest-xdist workers (`--dist loadgroup`). Tests that share expensive
# session state stay on one worker: tests/dbt share the generated network and one throw-away
# PostgreSQL cluster; tests/e2e and tests/orchestration share dbt_project/target (the manifest
# the Dagster definitions read, rewritten by `dbt parse`). The other folders spread freely.
_XDIST_GROUPS = {"dbt": "warehouse", "e2e": "pipeline", "orchestration": "pipeline"}
_TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(item.path).resolve().relative_to(_TESTS_DIR).parts[0]
        if group := _XDIST_GROUPS.get(folder):
            item.add_marker(pytest.mark.xdist_group(group))
