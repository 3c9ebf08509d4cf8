"""Replay partitions: one per delivery day (UTC), the day a file arrived (its modification
time, `ingest.landing.file_delivered_at`). They partition the replay_landing job through its
config, not the landing assets: routine landing stays "land what is new" (docs/decisions/0016).
"""

import datetime as dt
from pathlib import Path

import dagster as dg

from ingest.landing import file_delivered_at
from ingest.pipeline import source_files
from orchestration.settings import LANDING_START, SOURCES

# end_offset=1: today is a partition too, so what arrived today can be replayed today
landing_days = dg.DailyPartitionsDefinition(start_date=LANDING_START, end_offset=1)


def delivery_day(path: Path) -> str:
    """The delivery day of a file, `YYYY-MM-DD` (UTC)."""
    return file_delivered_at(path).date().isoformat()


def replay_selection(folder: Path, day: str, names: list[str]) -> list[Path]:
    """The files of a landing folder to replay: those delivered on `day` (every file when
    empty), only the `names` (relative to the folder) when given. A name that is not among
    them fails the run with what to do instead."""
    if day:
        try:
            day = dt.date.fromisoformat(day).isoformat()
        except ValueError:
            raise dg.Failure(description=f"replay_day {day!r} is not a day: YYYY-MM-DD") from None
    files = [p for p in source_files(folder) if not day or delivery_day(p) == day]
    if not names:
        return files
    by_name = {p.relative_to(folder).as_posix(): p for p in files}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        where = f"delivered on {day}" if day else "present"
        raise dg.Failure(
            description=f"not {where} under {folder}: {', '.join(unknown)}. Name files "
            "relative to the source folder, and pick the partition of their delivery day "
            "(modification time, UTC)."
        )
    return [by_name[name] for name in dict.fromkeys(names)]


def replay_run_config(day: str) -> dict[str, object]:
    """The run config of the replay of one day: every landing asset replays that day."""
    return {"ops": {f"raw_{source}": {"config": {"replay_day": day}} for source in SOURCES}}


replay_config = dg.PartitionedConfig(
    partitions_def=landing_days, run_config_for_partition_key_fn=replay_run_config
)
