"""Landing assets: one per source folder. Each lands the files not landed before, so a
re-run changes nothing; each has a conservation check over every batch it ever landed."""

from __future__ import annotations

import dagster as dg
import duckdb

from ingest.pipeline import land_source
from orchestration.resources import HcopsResource
from orchestration.settings import SOURCES

_TRANSIENT_IO = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL)


def _landing_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"raw_{source}",
        group_name="ingest",
        kinds={"duckdb"},
        retry_policy=_TRANSIENT_IO,
        description=f"Raw landing of {source} files: append-only, keyed, dead letters kept.",
    )
    def _asset(hcops: HcopsResource) -> dg.MaterializeResult:
        settings = hcops.settings
        batches = [
            b
            for b in land_source(settings.warehouse, source, settings.source_dir(source))
            if not b.skipped
        ]
        return dg.MaterializeResult(
            metadata={
                "files_landed": len(batches),
                "received": sum(b.received for b in batches),
                "landed": sum(b.landed for b in batches),
                "duplicates": sum(b.duplicates for b in batches),
                "dead_lettered": sum(b.dead_lettered for b in batches),
            }
        )

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
        description=f"Dead-lettered / received items of the feed stay under "
        f"{DEAD_LETTER_RATE_LIMIT:.0%} (integration failure rate, DESIGN §4).",
    )
    def _check(hcops: HcopsResource) -> dg.AssetCheckResult:
        with duckdb.connect(str(hcops.settings.warehouse), read_only=True) as con:
            received, dead = con.execute(
                """select coalesce(sum(received), 0), coalesce(sum(dead_lettered), 0)
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
