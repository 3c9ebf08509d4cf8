"""A sensor on the landing folders: new or changed files request a run of their source's
landing asset and everything downstream. Landing skips files already landed, so a spurious
tick costs a rebuild, never a duplicate. Off by default (turn it on in the UI: Automation)."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from ingest.pipeline import source_files
from orchestration.resources import HcopsResource
from orchestration.settings import SOURCES


def _listing_digest(hcops: HcopsResource, source: str) -> str:
    folder = hcops.settings.source_dir(source)
    entries = [
        (path.relative_to(folder).as_posix(), path.stat().st_size, path.stat().st_mtime_ns)
        for path in source_files(folder)
    ]
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


@dg.sensor(
    name="landing_folders",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    asset_selection=dg.AssetSelection.assets(*[f"raw_{s}" for s in SOURCES]).downstream(),
    description="New files in a landing folder → land them and rebuild what depends on them.",
)
def landing_folders_sensor(
    context: dg.SensorEvaluationContext, hcops: HcopsResource
) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    current = {source: _listing_digest(hcops, source) for source in SOURCES}
    changed = [source for source in SOURCES if current[source] != seen.get(source)]
    requests = (
        [
            dg.RunRequest(  # the sensor's selection: every landing asset and what is downstream
                run_key=hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest(),
                tags={"hcops/trigger": "landing_folders", "hcops/sources": ",".join(changed)},
            )
        ]
        if changed
        else []
    )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))


defs = dg.Definitions(sensors=[landing_folders_sensor])
