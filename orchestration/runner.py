"""In-process runs for the CLI and tests: the same definitions the Dagster UI serves."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import DBT_PROJECT_DIR, Settings

if TYPE_CHECKING:  # dagster is imported when a run starts, so that the CLI starts fast
    import dagster as dg


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


def _definitions(settings: Settings) -> dg.Definitions:
    settings.ensure_dirs()
    settings.export_env()
    prepare_dbt_manifest()
    from orchestration.definitions import build_definitions

    return build_definitions(settings)


def _outcome(result: dg.ExecuteInProcessResult) -> RunOutcome:
    materialized = sorted(  # a range run materializes each landing asset once per day
        {
            e.asset_key.to_user_string()
            for e in result.get_asset_materialization_events()
            if e.asset_key
        }
    )
    failed_checks = sorted(
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    )
    return RunOutcome(result.success, result.run_id, materialized, failed_checks)


def materialize_all(settings: Settings, full_refresh: bool = False) -> RunOutcome:
    """`hcops run`: land every new file, build dbt (incrementally unless `full_refresh`),
    post to the ERP, read it back."""
    defs = _definitions(settings)
    import dagster as dg

    job = defs.resolve_job_def("materialize_all")
    run_config = {
        **_QUIET_LOGS,
        "ops": {"hcops_dbt_assets": {"config": {"full_refresh": full_refresh}}},
    }
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config
        )
        return _outcome(result)


def replay(
    settings: Settings,
    day: str | None = None,
    sources: Sequence[str] = (),
    files: Sequence[str] = (),
    rebuild_downstream: bool = True,
) -> RunOutcome:
    """Replay a delivery day (`YYYY-MM-DD`, UTC) as a run of the replay_landing job for that
    partition: the landing assets of `sources` (default: every source) parse the files
    delivered that day again, only `files` (relative to the folder of the one source given)
    when named; then what depends on them is rebuilt. Without `day`, the delivery day of the
    files. Nothing lands twice (ingest.replay)."""
    if files and len(sources) != 1:
        raise ValueError("files are named relative to one source's folder: give one source")
    day = day or delivery_day_of(settings, sources[0], files)
    return replay_in(_definitions(settings), day, sources, files, rebuild_downstream)


def replay_in(
    defs: dg.Definitions,
    day: str,
    sources: Sequence[str] = (),
    files: Sequence[str] = (),
    rebuild_downstream: bool = True,
) -> RunOutcome:
    """`replay` with loaded definitions."""
    import dagster as dg

    from orchestration.defs.jobs import LANDING_ASSETS

    landing = [f"raw_{source}" for source in sources] or LANDING_ASSETS
    selection = dg.AssetSelection.assets(*landing)
    if rebuild_downstream:
        selection = selection.downstream()
    config = {"replay_day": day, "replay_files": list(files)}
    job = defs.resolve_job_def("replay_landing")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={**_QUIET_LOGS, "ops": {name: {"config": config} for name in landing}},
            partition_key=day,
            asset_selection=list(selection.resolve(defs.resolve_asset_graph())),
        )
        return _outcome(result)


def delivery_day_of(settings: Settings, source: str, files: Sequence[str]) -> str:
    """The one delivery day of files of a source folder (the replay partition they are in)."""
    from orchestration.defs.partitions import delivery_day

    if not files:
        raise ValueError("name a day or files to replay")
    days = set()
    for name in files:
        path = settings.source_dir(source) / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file: name it relative to its folder")
        days.add(delivery_day(path))
    if len(days) > 1:
        raise ValueError(f"the files were delivered on {sorted(days)}: one day per replay")
    return days.pop()


def provision_erp(settings: Settings) -> str:
    settings.ensure_dirs()
    from writeback.service import provision_from_landing

    return provision_from_landing(settings.landing, settings.erp_dir)
