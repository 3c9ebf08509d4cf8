"""Entry points for the orchestration layer (CLI / Dagster); plain functions, no Dagster."""

from __future__ import annotations

from pathlib import Path

from writeback.erp.tryton import TrytonLedger
from writeback.master_data import latest_extract_dir, read_master_data
from writeback.pipeline import WritebackResult, read_journal_feed, run_writeback


def provision_from_landing(landing: Path, erp_dir: Path) -> str:
    """Provision (idempotently) the ERP under ``erp_dir`` from the latest master-data
    extract under ``landing/erp_master/``; returns a one-line summary."""
    folder = latest_extract_dir(Path(landing))
    ledger = TrytonLedger(Path(erp_dir))
    report = ledger.provision(read_master_data(folder))
    created = ", ".join(f"{k}={v}" for k, v in sorted(report.created.items()) if v)
    return (f"ERP {ledger.database_path} provisioned from {folder.name}: "
            f"{created or 'no change'}")


def writeback_from_warehouse(
    warehouse: Path, erp_dir: Path, *, dry_run: bool = False, reconcile: bool = True
) -> WritebackResult:
    """Post the delta of ``marts.fct_journal_feed`` (DuckDB file) to the ERP; read back
    unless ``reconcile`` is False (the caller reads the ledger back itself)."""
    return run_writeback(
        TrytonLedger(Path(erp_dir)), read_journal_feed(Path(warehouse)), dry_run=dry_run,
        reconcile=reconcile)
