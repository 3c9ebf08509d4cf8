"""The writeback flow the orchestration layer calls: feed → journals → delta → ERP → check.

::

    ledger = TrytonLedger(erp_dir)
    ledger.provision(read_latest_master_data(landing))
    result = run_writeback(ledger, read_journal_feed(warehouse_path))
    result.report.failed, result.breaks  # exceptions / KPI inputs
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from writeback.erp.base import LedgerAdapter, PostingReport
from writeback.journals import Journal, build_journals, plan_postings
from writeback.reconcile import Break, compare, feed_totals

FEED_COLUMNS = (
    "feed_line_key", "event_type", "journal_date", "legal_entity_code", "facility_code",
    "account_code", "party_code", "cost_center_code", "debit", "credit", "source_event_key",
)


@dataclass(slots=True)
class WritebackResult:
    planned: list[Journal]
    report: PostingReport = field(default_factory=PostingReport)
    breaks: list[Break] = field(default_factory=list)
    dry_run: bool = False


def read_journal_feed(
    database: Path | str | Any, table: str = "marts.fct_journal_feed"
) -> list[dict[str, Any]]:
    """Rows of the journal feed from a DuckDB file (opened read-only) or connection."""
    import duckdb

    columns = ", ".join(FEED_COLUMNS)
    query = f"SELECT {columns} FROM {table} ORDER BY feed_line_key"
    if isinstance(database, (str, Path)):
        with duckdb.connect(str(database), read_only=True) as connection:
            result = connection.execute(query)
            rows = result.fetchall()
    else:
        rows = database.execute(query).fetchall()
    return [dict(zip(FEED_COLUMNS, row, strict=True)) for row in rows]


def run_writeback(
    ledger: LedgerAdapter,
    feed_rows: Iterable[Mapping[str, Any]],
    *,
    dry_run: bool = False,
    reverse_missing: bool = False,
    reconcile: bool = True,
) -> WritebackResult:
    """Build journals, post only the delta against what the ERP holds, read back, compare.

    ``dry_run``: plan only (the ledger impact is ``result.planned``); nothing is posted.
    ``reconcile``: False when the caller reads the ledger back itself (no breaks computed).
    """
    rows = list(feed_rows)
    planned = plan_postings(
        build_journals(rows), ledger.posted_business_keys(), reverse_missing=reverse_missing)
    if dry_run:
        return WritebackResult(planned=planned, dry_run=True)
    report = ledger.post_journals(planned)
    if not reconcile:
        return WritebackResult(planned=planned, report=report)
    breaks = compare(feed_totals(rows), ledger.read_balances())
    return WritebackResult(planned=planned, report=report, breaks=breaks)
