"""In-process runs of the landing assets against a real DuckDB warehouse (no dbt: fast)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg
import pytest
from orch_support import Runner

from orchestration.resources import HcopsResource


@pytest.fixture
def run_landing() -> Runner:
    """`run(home, sources, day=None, config=None)`: the landing assets of `sources` in one
    in-process run; with `day`, as the replay_landing job does (its partitioned config);
    `config` is merged into every selected asset's LandingConfig."""
    from orchestration.defs import ingest
    from orchestration.defs.partitions import replay_config

    instance = dg.DagsterInstance.ephemeral()

    def run(
        home: Path,
        sources: Sequence[str] = ("hl7_siu",),
        day: str | None = None,
        config: Mapping[str, object] | None = None,
    ) -> dg.ExecuteInProcessResult:
        names = [f"raw_{source}" for source in sources]
        jobs = [  # the replay job's partitioned config sets every landing asset: all in it
            dg.define_asset_job("land", selection=dg.AssetSelection.assets(*names)),
            dg.define_asset_job("replay", selection=ingest.landing_assets, config=replay_config),
        ]
        defs = dg.Definitions(
            assets=ingest.landing_assets,
            asset_checks=ingest.landing_checks,
            jobs=jobs,
            resources={"hcops": HcopsResource(home=str(home), pseudonym_key="k")},
            executor=dg.in_process_executor,
        )
        job = defs.resolve_job_def("replay" if day else "land")
        asset_config = {**({"replay_day": day} if day else {}), **(config or {})}
        run_config = {"ops": {name: {"config": asset_config} for name in names}} if config else None
        return job.execute_in_process(
            run_config=run_config,
            instance=instance,
            partition_key=day,
            asset_selection=[dg.AssetKey(name) for name in names],
            raise_on_error=False,
        )

    return run
