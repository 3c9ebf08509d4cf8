"""Read the posted ledger back from the ERP into the warehouse and reconcile it with the
journal feed. The stored snapshot carries no read time, so reading back twice an unchanged
ledger leaves the warehouse identical."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from writeback.erp.base import LedgerAdapter, LedgerBalance
from writeback.pipeline import read_journal_feed
from writeback.reconcile import Break, compare, feed_totals

SCHEMA = "writeback"
_BALANCE_COLUMNS = [f.name for f in dataclasses.fields(LedgerBalance)]
_BREAK_COLUMNS = [f.name for f in dataclasses.fields(Break)]


@dataclass(frozen=True, slots=True)
class Readback:
    balances: list[LedgerBalance]
    breaks: list[Break]


def read_back(warehouse: Path, ledger: LedgerAdapter) -> Readback:
    balances = ledger.read_balances()
    breaks = compare(feed_totals(read_journal_feed(warehouse)), balances)
    return Readback(balances, breaks)


def _frame(rows: list[object], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([dataclasses.astuple(r) for r in rows], columns=columns)


def store_readback(warehouse: Path, readback: Readback) -> None:
    """Replace `writeback.erp_ledger_balances` and `writeback.reconciliation_breaks`."""
    tables = {
        "erp_ledger_balances": _frame(readback.balances, _BALANCE_COLUMNS),
        "reconciliation_breaks": _frame(readback.breaks, _BREAK_COLUMNS),
    }
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, frame in tables.items():
            con.register("snapshot", frame)
            con.execute(
                f"""create or replace table {SCHEMA}.{name} as
                    select * from snapshot order by all"""
            )
            con.unregister("snapshot")
