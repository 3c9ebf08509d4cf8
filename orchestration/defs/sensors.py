"""Sensors, both off by default (turn them on in the UI: Automation).

- `landing_folders`: new or changed files in a landing folder request a run of the landing
  assets and everything downstream. Landing skips files already landed, so a spurious tick
  costs a rebuild, never a duplicate.
- `mllp_inbox`: messages the MLLP listener landed (raw.landing_batches rows under
  `hl7_siu/mllp/`) request a run of what depends on raw_hl7_siu; the listener has landed them
  already, so the landing folder sensor ignores the inbox folder.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from ingest.formats import hl7_siu
from ingest.mllp import INBOX_FOLDER
from ingest.pipeline import source_files
from orchestration.defs.jobs import LANDING_ASSETS
from orchestration.resources import HcopsResource
from orchestration.retries import is_transient
from orchestration.settings import SOURCES

MLLP_SOURCE_FILE_PREFIX = f"{hl7_siu.SOURCE}/{INBOX_FOLDER}/"


# -- landing folders ---------------------------------------------------------------------------


def _listing_digest(folder: Path, source: str) -> str:
    """A digest of a landing folder's files (names, sizes, modification times); the MLLP
    inbox is left out."""
    inbox = folder / INBOX_FOLDER if source == hl7_siu.SOURCE else None
    files = [p for p in source_files(folder) if inbox is None or not p.is_relative_to(inbox)]
    entries = [
        (p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files
    ]
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:32]


@dg.sensor(
    name="landing_folders",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    asset_selection=dg.AssetSelection.assets(*LANDING_ASSETS).downstream(),
    description="New or changed files in a landing folder → land them and rebuild what depends "
    "on them.",
)
def landing_folders_sensor(
    context: dg.SensorEvaluationContext, hcops: HcopsResource
) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    current = {s: _listing_digest(hcops.settings.source_dir(s), s) for s in SOURCES}
    changed = [source for source in SOURCES if current[source] != seen.get(source)]
    cursor = json.dumps(current, sort_keys=True)
    if not changed:
        return dg.SensorResult(cursor=cursor, skip_reason="no new or changed files")
    request = dg.RunRequest(  # the sensor's selection: every landing asset and what follows
        run_key=hashlib.sha256(cursor.encode()).hexdigest(),
        tags={"hcops/trigger": "landing_folders", "hcops/sources": ",".join(changed)},
    )
    return dg.SensorResult(run_requests=[request], cursor=cursor)


# -- MLLP inbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MllpBatch:
    batch_id: str
    received_at: str  # ISO, as the cursor keeps it
    landed: int


def mllp_batches_after(warehouse: Path, cursor: str | None) -> list[MllpBatch]:
    """Batches the MLLP listener landed after `cursor` (the last batch seen: landing time,
    batch id), in landing order. The listener lands one message at a time while holding the
    warehouse's write lock, so landing time orders the commits."""
    after = json.loads(cursor) if cursor else {"received_at": "0001-01-01T00:00:00"}
    since, last_id = dt.datetime.fromisoformat(after["received_at"]), after.get("batch_id", "")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """select batch_id, received_at, landed from raw.landing_batches
               where source = ? and starts_with(source_file, ?)
                 and (received_at > ? or (received_at = ? and batch_id > ?))
               order by received_at, batch_id""",
            [hl7_siu.SOURCE, MLLP_SOURCE_FILE_PREFIX, since, since, last_id],
        ).fetchall()
    return [MllpBatch(batch_id, at.isoformat(), landed) for batch_id, at, landed in rows]


@dg.sensor(
    name="mllp_inbox",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    asset_selection=dg.AssetSelection.assets("raw_hl7_siu").downstream(include_self=False)
    | dg.AssetSelection.checks_for_assets("raw_hl7_siu"),
    description="Messages the MLLP listener landed → rebuild what depends on raw_hl7_siu and "
    "check its conservation.",
)
def mllp_inbox_sensor(
    context: dg.SensorEvaluationContext, hcops: HcopsResource
) -> dg.SensorResult | dg.SkipReason:
    warehouse = hcops.settings.warehouse
    if not warehouse.exists():
        return dg.SkipReason(f"no warehouse yet at {warehouse}")
    try:
        batches = mllp_batches_after(warehouse, context.cursor)
    except duckdb.CatalogException:
        return dg.SkipReason("nothing landed yet (no raw.landing_batches)")
    except duckdb.Error as exc:
        if is_transient(exc):  # a run or the listener holds the warehouse: the next tick
            return dg.SkipReason("the warehouse is busy; trying again at the next tick")
        raise
    if not batches:
        return dg.SkipReason("no new MLLP messages")
    last = batches[-1]
    cursor = json.dumps({"received_at": last.received_at, "batch_id": last.batch_id})
    landed = sum(b.landed for b in batches)
    if landed == 0:  # re-deliveries and dead letters only: nothing new downstream
        return dg.SensorResult(cursor=cursor, skip_reason="no new records in the new messages")
    request = dg.RunRequest(
        run_key=f"mllp_inbox:{last.batch_id}",
        tags={
            "hcops/trigger": "mllp_inbox",
            "hcops/messages": str(len(batches)),
            "hcops/records_landed": str(landed),
        },
    )
    return dg.SensorResult(run_requests=[request], cursor=cursor)


defs = dg.Definitions(sensors=[landing_folders_sensor, mllp_inbox_sensor])
