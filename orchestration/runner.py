"""In-process runs for the CLI and tests: the same definitions the Dagster UI serves."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    materialized: list[str]
    failed_checks: list[str]

    def summary(self) -> str:
        status = "succeeded" if self.success else "FAILED"
        lines = [f"run {self.run_id} {status}: {len(self.materialized)} assets materialized"]
        lines += [f"  failed check: {name}" for name in self.failed_checks]
        return "\n".join(lines)


_QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def prepare_dbt_manifest() -> None:
    """`dbt parse` writes the manifest that the dbt assets are defined from (stack notes:
    only `dagster dev` does this by itself)."""
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [
            str(dbt),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        check=True,
    )


def materialize_all(settings: Settings) -> RunOutcome:
    settings.ensure_dirs()
    settings.export_env()
    prepare_dbt_manifest()
    import dagster as dg

    from orchestration.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def("materialize_all")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=_QUIET_LOGS
        )
        materialized = sorted(
            e.asset_key.to_user_string()
            for e in result.get_asset_materialization_events()
            if e.asset_key
        )
        failed_checks = (
            sorted(
                f"{e.asset_check_evaluation_data.asset_key.to_user_string()}:"
                f"{e.asset_check_evaluation_data.check_name}"
                for e in result.get_asset_check_evaluations()
                if not e.passed
            )
            if hasattr(result, "get_asset_check_evaluations")
            else []
        )
        return RunOutcome(result.success, result.run_id, materialized, failed_checks)


def provision_erp(settings: Settings) -> str:
    settings.ensure_dirs()
    from writeback.service import provision_from_landing

    return provision_from_landing(settings.landing, settings.erp_dir)
