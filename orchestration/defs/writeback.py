"""Writeback assets: provision the ERP from master data, post the journal feed's delta,
read the ledger back and check it against the feed."""

import dagster as dg

from orchestration.resources import HcopsResource
from orchestration.retries import (
    MAX_RETRIES,
    is_transient_text,
    retry_request,
    transient_io_retried,
)
from writeback.erp.tryton import TrytonLedger
from writeback.readback import read_back, store_readback
from writeback.service import provision_from_landing, writeback_from_warehouse

JOURNAL_FEED = dg.AssetKey(["marts", "fct_journal_feed"])


@dg.asset(
    group_name="writeback",
    kinds={"tryton"},
    deps=["raw_erp_master"],
    description="Companies, fiscal years, accounts, cost centers and payer parties in the ERP, "
    "from the latest master-data extract (idempotent).",
)
def erp_setup(context: dg.AssetExecutionContext, hcops: HcopsResource) -> dg.MaterializeResult:
    settings = hcops.settings
    with transient_io_retried(context):  # a locked ERP database; bad master data fails
        summary = provision_from_landing(settings.landing, settings.erp_dir)
    return dg.MaterializeResult(metadata={"summary": summary})


@dg.asset(
    group_name="writeback",
    kinds={"tryton"},
    deps=[JOURNAL_FEED, erp_setup],
    check_specs=[
        dg.AssetCheckSpec(
            "no_failed_postings",
            asset="erp_journal_postings",
            description="Every planned journal reached the ERP; none parked with a failure.",
        )
    ],
    description="Summarized, balanced journals per date x facility x event type, posted as "
    "deltas under an idempotency key the ERP enforces.",
)
def erp_journal_postings(
    context: dg.AssetExecutionContext, hcops: HcopsResource
) -> dg.MaterializeResult:
    settings = hcops.settings
    # erp_ledger_readback reads the ledger back and reconciles: not twice here. A busy
    # warehouse or ERP is retried (the delta plan makes a retry post nothing twice); a journal
    # the ERP refuses is parked in the report, never retried
    with transient_io_retried(context):
        result = writeback_from_warehouse(settings.warehouse, settings.erp_dir, reconcile=False)
    report = result.report
    if context.retry_number < MAX_RETRIES and any(
        is_transient_text(f.reason) for f in report.failed
    ):  # parked by a locked ERP database, not refused by the ERP: the next attempt posts them
        raise retry_request(context)
    sent = len(report.created) + len(report.skipped) + len(report.failed)
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="no_failed_postings",
                passed=report.ok,
                metadata={"journals_failed": len(report.failed)},
            )
        ],
        metadata={
            "journals_planned": len(result.planned),
            "journals_posted": len(report.created),
            "journals_already_in_erp": len(report.skipped),
            "journals_failed": len(report.failed),
            "completion_ratio": (len(report.created) + len(report.skipped)) / sent if sent else 1.0,
            "failures": dg.MetadataValue.md(
                "\n".join(f"- `{f.idempotency_key}`: {f.reason}" for f in report.failed[:50])
                or "none"
            ),
        },
    )


@dg.asset(
    group_name="writeback",
    kinds={"tryton", "duckdb"},
    deps=[erp_journal_postings],
    check_specs=[
        dg.AssetCheckSpec(
            "ledger_matches_journal_feed",
            asset="erp_ledger_readback",
            description="ERP ledger = journal feed by entity x account x period x cost center.",
        )
    ],
    description="The posted ledger read back from the ERP (writeback.erp_ledger_balances) and "
    "its breaks against the journal feed (writeback.reconciliation_breaks).",
)
def erp_ledger_readback(
    context: dg.AssetExecutionContext, hcops: HcopsResource
) -> dg.MaterializeResult:
    settings = hcops.settings
    with transient_io_retried(context):
        readback = read_back(settings.warehouse, TrytonLedger(settings.erp_dir))
        store_readback(settings.warehouse, readback)
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="ledger_matches_journal_feed",
                passed=not readback.breaks,
                metadata={"breaks": len(readback.breaks)},
            )
        ],
        metadata={
            "ledger_rows": len(readback.balances),
            "reconciliation_breaks": len(readback.breaks),
        },
    )


defs = dg.Definitions(assets=[erp_setup, erp_journal_postings, erp_ledger_readback])
