from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from writeback_testdata import sample_feed, service_rendered, write_master

from writeback.erp.tryton import TrytonLedger
from writeback.pipeline import FEED_COLUMNS, read_journal_feed, run_writeback
from writeback.service import provision_from_landing, writeback_from_warehouse


def feed_database(rows: list[dict[str, object]]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA marts")
    connection.execute(
        "CREATE TABLE marts.fct_journal_feed (feed_line_key VARCHAR, event_type VARCHAR,"
        " journal_date DATE, legal_entity_code VARCHAR, facility_code VARCHAR,"
        " account_code VARCHAR, party_code VARCHAR, cost_center_code VARCHAR,"
        " debit DECIMAL(18,2), credit DECIMAL(18,2), source_event_key VARCHAR)")
    connection.executemany(
        f"INSERT INTO marts.fct_journal_feed VALUES ({', '.join('?' * len(FEED_COLUMNS))})",
        [[row[c] for c in FEED_COLUMNS] for row in rows])
    return connection


def test_feed_from_duckdb_dry_run_post_and_rerun(ledger: TrytonLedger) -> None:
    connection = feed_database(sample_feed())
    rows = read_journal_feed(connection)
    assert len(rows) == len(sample_feed())
    assert isinstance(rows[0]["debit"], Decimal)

    dry = run_writeback(ledger, rows, dry_run=True)
    assert len(dry.planned) == 5 and ledger.moves() == []

    first = run_writeback(ledger, rows)
    assert len(first.report.created) == 5 and first.breaks == []
    assert run_writeback(ledger, rows).planned == []  # nothing to do

    more = sample_feed() + service_rendered(
        8, "2025-02-03", "LE01", "FAC01", "CC01", "PAY-UHC", "40.00", "10.00")
    third = run_writeback(ledger, read_journal_feed(feed_database(more)))
    assert third.report.created == ["LE01/FAC01/service_rendered/2025-02-03#v1"]
    assert third.breaks == []


def test_service_entry_points(template_ledger: TrytonLedger, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_master(landing)
    erp_dir = tmp_path / "erp"
    TrytonLedger.clone(template_ledger, erp_dir)
    provision_from_landing(landing, erp_dir)  # may open the current year
    assert provision_from_landing(landing, erp_dir).endswith("no change")

    warehouse = tmp_path / "warehouse.duckdb"
    source = feed_database(sample_feed())
    source.execute(f"ATTACH '{warehouse}' AS w")
    source.execute("CREATE SCHEMA w.marts")
    source.execute(
        "CREATE TABLE w.marts.fct_journal_feed AS SELECT * FROM marts.fct_journal_feed")
    source.close()
    dry = writeback_from_warehouse(warehouse, erp_dir, dry_run=True)
    assert dry.dry_run and len(dry.planned) == 5
    result = writeback_from_warehouse(warehouse, erp_dir)
    assert len(result.report.created) == 5 and result.breaks == []
