"""Transient I/O is retried, everything else fails at once: classified on real errors, and a
landing run under real DuckDB lock contention from another process."""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from orch_support import Runner, deliver, query, siu

from orchestration.retries import is_transient

# holds the warehouse open for writing: says "locked", keeps it for argv[2] seconds
_HOLDER = (
    "import duckdb, sys, time\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "con.close()\n"
)


def _hold(warehouse: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


@pytest.fixture
def lock_error(tmp_path: Path) -> Iterator[duckdb.Error]:
    """The error DuckDB raises while another process writes the warehouse."""
    warehouse = tmp_path / "busy.duckdb"
    holder = _hold(warehouse, 30)
    try:
        with pytest.raises(duckdb.Error) as raised:
            duckdb.connect(str(warehouse), read_only=True)
        yield raised.value
    finally:
        holder.kill()
        holder.wait()


def test_a_warehouse_held_by_another_process_is_transient(lock_error: duckdb.Error) -> None:
    assert is_transient(lock_error)
    # dbt reports the adapter's message in the error dagster-dbt raises
    dbt_error = DagsterDbtCliRuntimeError(
        description=f"The dbt CLI process failed.\n\nErrors parsed from dbt logs:\n{lock_error}"
    )
    assert is_transient(dbt_error)


def test_a_locked_erp_database_and_a_refused_connection_are_transient(tmp_path: Path) -> None:
    database = tmp_path / "erp.sqlite"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("create table t (x int)")
    holder.execute("begin exclusive")
    writer = sqlite3.connect(database, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as locked:
        writer.execute("insert into t values (1)")
    holder.execute("rollback")
    assert is_transient(locked.value)

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionRefusedError) as refused:
        socket.create_connection(("127.0.0.1", port), timeout=2)
    assert not is_transient(RuntimeError("ERP unreachable"))
    wrapped = RuntimeError("ERP unreachable")
    wrapped.__cause__ = refused.value
    assert is_transient(wrapped)


def test_data_errors_and_bugs_are_not_transient(tmp_path: Path) -> None:
    with pytest.raises(duckdb.CatalogException) as missing_table:
        duckdb.connect().execute("select * from raw.landing_batches")
    (tmp_path / "not_a_file.duckdb").mkdir()
    with pytest.raises(duckdb.IOException) as unreadable:
        duckdb.connect(str(tmp_path / "not_a_file.duckdb"))
    data_test = DagsterDbtCliRuntimeError(
        description="The dbt CLI process failed.\n\nErrors parsed from dbt logs:\n"
        "Failure in test unique_fct_claims_claim_key (models/marts/_marts.yml)\n"
        "  Got 2 results, configured to fail if != 0"
    )
    for error in (missing_table.value, unreadable.value, data_test, ValueError("bad date")):
        assert not is_transient(error), error


def _retries(result: dg.ExecuteInProcessResult) -> int:
    up = dg.DagsterEventType.STEP_UP_FOR_RETRY
    return sum(1 for e in result.all_events if e.event_type == up)


def test_landing_waits_out_a_busy_warehouse(tmp_path: Path, run_landing: Runner) -> None:
    home = tmp_path / "home"
    deliver(home / "landing" / "hl7_siu", "a.hl7", siu("M1", "A1"), dt.datetime(2026, 3, 2))
    warehouse = home / "warehouse.duckdb"
    holder = _hold(warehouse, 1.0)  # released before the first retry (after 2 s)
    try:
        result = run_landing(home)
    finally:
        holder.wait()
    assert result.success
    assert _retries(result) == 1
    assert query(warehouse, "select message_control_id from raw.appointment_event") == [("M1",)]


def test_a_warehouse_that_cannot_be_opened_fails_at_once(
    tmp_path: Path, run_landing: Runner
) -> None:
    home = tmp_path / "home"
    deliver(home / "landing" / "hl7_siu", "a.hl7", siu("M1", "A1"), dt.datetime(2026, 3, 2))
    (home / "warehouse.duckdb").mkdir()  # a directory where the warehouse file should be
    result = run_landing(home)
    assert not result.success
    assert _retries(result) == 0
