"""One place for configuration: everything comes from the environment, with defaults that
keep all runtime state under HCOPS_HOME (default ./.hcops)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCES = (
    "hl7_siu",
    "fhir",
    "vendor_csv",
    "x12_837",
    "x12_999",
    "x12_277",
    "x12_835",
    "bai2",
    "schedule_templates",
    "patient_accounting",
    "erp_master",
)
# The first delivery day (UTC) the replay_landing job offers as a partition: a file delivered
# earlier is replayed by name (`replay_files`), docs/decisions/0016.
LANDING_START = os.environ.get("HCOPS_LANDING_START", "2020-01-01")


@dataclass(frozen=True)
class Settings:
    home: Path
    pseudonym_key: str

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def erp_dir(self) -> Path:
        return self.home / "erp"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt_target"

    def source_dir(self, source: str) -> Path:
        return self.landing / source

    def ensure_dirs(self) -> None:
        for path in (self.home, self.landing, self.erp_dir, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)
        dagster_yaml = self.dagster_home / "dagster.yaml"
        if not dagster_yaml.exists():
            dagster_yaml.write_text("telemetry:\n  enabled: false\n")

    def export_env(self) -> None:
        """Make child processes (dbt, dagster, streamlit) see the same configuration."""
        os.environ["HCOPS_HOME"] = str(self.home)
        os.environ["HCOPS_WAREHOUSE"] = str(self.warehouse)
        os.environ["HCOPS_PSEUDONYM_KEY"] = self.pseudonym_key
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        os.environ.setdefault("DO_NOT_TRACK", "1")


def load_settings() -> Settings:
    home = Path(os.environ.get("HCOPS_HOME", REPO_ROOT / ".hcops")).resolve()
    # the default key is for the simulated demo only; production sets HCOPS_PSEUDONYM_KEY
    key = os.environ.get("HCOPS_PSEUDONYM_KEY", "dev-only-key")
    return Settings(home=home, pseudonym_key=key)
