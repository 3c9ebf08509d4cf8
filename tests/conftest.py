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
