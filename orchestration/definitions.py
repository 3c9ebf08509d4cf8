"""The hcops code location: merges the definitions of each area. No logic here."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import Settings, load_settings


def build_definitions(settings: Settings) -> dg.Definitions:
    settings.export_env()  # dbt reads the warehouse path from the environment
    from orchestration.defs import dbt, ingest, jobs, schedules, sensors, writeback
    from orchestration.resources import build_resources

    return dg.Definitions.merge(
        ingest.defs,
        dbt.defs,
        writeback.defs,
        jobs.defs,
        sensors.defs,
        schedules.defs,
        dg.Definitions(
            resources=build_resources(settings),
            executor=dg.in_process_executor,  # one DuckDB writer: docs/decisions/0001
        ),
    )


defs = build_definitions(load_settings())
