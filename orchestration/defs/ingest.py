"""Landing assets: one per source folder. Each lands the files not landed before, so a
re-run changes nothing; with `replay_day` / `replay_files` (the replay_landing job, one
partition per delivery day) it parses those files again through ingest.replay, and record keys
keep that free of duplicates (docs/decisions/0016). Each asset has a conservation check and a
dead-letter-rate check over every batch it ever landed."""

import dagster as dg
import duckdb
from pydantic import Field

from ingest.landing import BatchResult
from ingest.pipeline import land_source
from ingest.replay import reprocess_files
from orchestration.defs.partitions import replay_selection
from orchestration.resources import HcopsResource
from orchestration.retries import transient_io_retried
from orchestration.settings import SOURCES, Settings


class LandingConfig(dg.Config):
    """Empty: land what is new. Set by the replay_landing job's partition (or by hand in the
    launchpad) to replay."""

    replay_day: str = Field(
        default="",
        description="Replay the files delivered on this day (YYYY-MM-DD, UTC: their "
        "modification time): parse them again with the current parsers; what landed before "
        "counts as duplicates.",
    )
    replay_files: list[str] = Field(
        default_factory=list,
        description="Replay only these files, relative to the source's landing folder (with "
        "replay_day: each must have been delivered that day).",
    )

    @property
    def replaying(self) -> bool:
        return bool(self.replay_day or self.replay_files)


def _land(settings: Settings, source: str, config: LandingConfig) -> tuple[int, list[BatchResult]]:
    """(files considered, their batches): the new files of the folder, or the replayed ones."""
    folder = settings.source_dir(source)
    if not config.replaying:
        batches = land_source(settings.warehouse, source, folder)
        return len(batches), batches
    paths = replay_selection(folder, config.replay_day, config.replay_files)
    result = reprocess_files(settings.warehouse, settings.landing, source, files=paths)
    return len(paths), list(result.batches)


def _metadata(config: LandingConfig, files: int, batches: list[BatchResult]) -> dict[str, object]:
    done = [b for b in batches if not b.skipped]
    mode = f"replay of {config.replay_day or 'named files'}" if config.replaying else "new files"
    return {
        "mode": mode,
        "files": files,
        "files_landed": len(done),
        "files_already_landed": len(batches) - len(done),
        "received": sum(b.received for b in done),
        "landed": sum(b.landed for b in done),
        "duplicates": sum(b.duplicates for b in done),
        "dead_lettered": sum(b.dead_lettered for b in done),
    }


def _landing_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"raw_{source}",
        group_name="ingest",
        kinds={"duckdb"},
        description=f"Raw landing of the {source} files: append-only, keyed, dead letters "
        "kept. Replay a delivery day: job replay_landing, pick the day.",
    )
    def _asset(
        context: dg.AssetExecutionContext, config: LandingConfig, hcops: HcopsResource
    ) -> dg.MaterializeResult:
        with transient_io_retried(context):  # a busy warehouse; a parse error is a dead letter
            files, batches = _land(hcops.settings, source, config)
        return dg.MaterializeResult(metadata=_metadata(config, files, batches))

    return _asset


def _conservation_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=f"raw_{source}",
        name="received_equals_landed_duplicates_dead_lettered",
        blocking=True,
        description="Nothing lost: every batch has received = landed + duplicates + dead-lettered.",
    )
    def _check(hcops: HcopsResource) -> dg.AssetCheckResult:
        with duckdb.connect(str(hcops.settings.warehouse), read_only=True) as con:
            batches, broken = con.execute(
                """select count(*), count(*) filter (
                       where received <> landed + duplicates + dead_lettered)
                   from raw.landing_batches where source = ?""",
                [source],
            ).fetchone()
        return dg.AssetCheckResult(
            passed=broken == 0, metadata={"batches": batches, "unbalanced_batches": broken}
        )

    return _check


DEAD_LETTER_RATE_LIMIT = 0.02  # above it, a feed needs a person's look (a warning, not a stop)


def _dead_letter_rate_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=f"raw_{source}",
        name="dead_letter_rate",
        description=f"Dead-lettered / received messages of the feed stay under "
        f"{DEAD_LETTER_RATE_LIMIT:.0%} (integration failure rate, DESIGN §4).",
    )
    def _check(hcops: HcopsResource) -> dg.AssetCheckResult:
        with duckdb.connect(str(hcops.settings.warehouse), read_only=True) as con:
            # messages (an X12 transaction set, an HL7 message, an NDJSON line, ...): the
            # unit of the integration failure rate; batches landed before the column existed
            # count their items
            received, dead = con.execute(
                """select coalesce(sum(coalesce(messages_received, received)), 0),
                          coalesce(sum(dead_lettered), 0)
                   from raw.landing_batches where source = ?""",
                [source],
            ).fetchone()
        rate = dead / received if received else 0.0
        return dg.AssetCheckResult(
            passed=rate <= DEAD_LETTER_RATE_LIMIT,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"received": received, "dead_lettered": dead, "rate": float(rate)},
        )

    return _check


landing_assets = [_landing_asset(source) for source in SOURCES]
landing_checks = [
    *(_conservation_check(source) for source in SOURCES),
    *(_dead_letter_rate_check(source) for source in SOURCES),
]

defs = dg.Definitions(assets=landing_assets, asset_checks=landing_checks)
