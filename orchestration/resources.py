"""Dagster resources: the platform settings and the dbt CLI, built from one Settings."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.settings import DBT_PROJECT_DIR, Settings, load_settings


class HcopsResource(dg.ConfigurableResource):
    """Where hcops keeps its state; the assets derive every path from it."""

    home: str
    pseudonym_key: str

    @property
    def settings(self) -> Settings:
        return Settings(home=Path(self.home), pseudonym_key=self.pseudonym_key)


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or load_settings()
    return {
        "hcops": HcopsResource(home=str(settings.home), pseudonym_key=settings.pseudonym_key),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            # the venv's dbt, also when the venv is not activated
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
    }
