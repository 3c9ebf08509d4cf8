"""The dbt project as Dagster assets; dbt tests surface as asset checks. Unpartitioned: a
model reads every landed day (docs/decisions/0016)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.retries import transient_io_retried
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class HcopsDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layer folders (staging, intermediate, marts). The raw tables one
    format lands (e.g. the 835's payments, claims, lines, adjustments) map to that format's
    landing asset, so several dbt sources share one asset key."""

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


class DbtBuildConfig(dg.Config):
    """Incremental models advance on landing time (decision 0025); a full refresh re-derives
    everything, needed after a change of model logic, seeds or column sets."""

    full_refresh: bool = False


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=HcopsDbtTranslator())
def hcops_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
):
    # unit tests check SQL logic on fixed inputs: they run in CI (tests/dbt), not on every
    # materialization (decision 0030)
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    # a warehouse held by another process is retried; a failed model or data test is not
    with transient_io_retried(context):
        yield from dbt.cli(args, context=context).stream()


defs = dg.Definitions(assets=[hcops_dbt_assets])
