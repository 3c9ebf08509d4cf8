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


# `make test` runs two pytest-xdist workers. Tests that share expensive session state stay on
# one worker: tests/dbt share the generated network and one throw-away PostgreSQL cluster;
# tests/e2e and tests/orchestration share dbt_project/target (the manifest the Dagster
# definitions read, rewritten by `dbt parse`). Every other test is a unit of its own.
# (pytest-xdist's `--dist loadgroup` would do this with markers, but it renames node ids, which
# pytest 9 no longer lets a plugin do: the groups were silently ignored.)
_XDIST_GROUPS = {"dbt": "warehouse", "e2e": "pipeline", "orchestration": "pipeline"}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class FolderGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("/", 2)
            folder = parts[1] if len(parts) == 3 and parts[0] == "tests" else ""
            return _XDIST_GROUPS.get(folder, nodeid)

    return FolderGroupScheduling(config, log)
