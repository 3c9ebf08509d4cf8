"""The two jobs a person launches: everything, and the replay of a delivery day."""

import dagster as dg

from orchestration.defs.partitions import replay_config
from orchestration.settings import SOURCES

LANDING_ASSETS = [f"raw_{source}" for source in SOURCES]

materialize_all = dg.define_asset_job(
    "materialize_all",
    selection=dg.AssetSelection.all(),
    description="Land every new file, build the dbt project, post to the ERP, read it back "
    "(`hcops run`, the daily_run schedule).",
)

replay_landing = dg.define_asset_job(
    "replay_landing",
    selection=dg.AssetSelection.assets(*LANDING_ASSETS).downstream(),
    config=replay_config,
    description="Replay one delivery day (pick its partition; several days: a backfill from "
    "the Partitions tab): every landing asset parses that day's files again with the current "
    "parsers, nothing lands twice, everything downstream is rebuilt. One file: add "
    "`replay_files` to its asset's config. Select assets to replay some sources only.",
)

defs = dg.Definitions(jobs=[materialize_all, replay_landing])
