"""Portability (DESIGN §8, issue 5): the same dbt project builds on DuckDB and on PostgreSQL and
every mart is identical on both, row for row and value for value.

A small simulated network (fixed seed, the default claim lifecycle and delivery-fault rates) is
landed by the real landing code into DuckDB and built there; its raw schema is copied into a
throw-away PostgreSQL cluster (ingest.warehouse_postgres) and built again with
`--target postgres`, dbt unit tests and data tests included.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_network import DbtRun, Network, dbt_build, scoped_env

from ingest.landing import RAW_SCHEMA

dbt_main = pytest.importorskip("dbt.cli.main")
psycopg = pytest.importorskip("psycopg")

from ingest.warehouse_postgres import CopiedTable, copy_raw_schema  # noqa: E402

# marts that must hold rows at this scale (an empty mart would compare equal vacuously)
POPULATED_MARTS = {
    "fct_claims",
    "fct_journal_feed",
    "fct_journal_amounts",
    "kpi_claim_cycle_time_daily",
    "kpi_initial_denial_daily",
    "kpi_scheduling_to_revenue_lag_daily",
    "kpi_scorecard",
    "fct_appointments",
    "kpi_appointment_outcomes_daily",
    "kpi_schedule_occupancy_daily",
    "fct_claim_journeys",
    "fct_transaction_latencies",
    "kpi_integration_health_daily",
    "fct_reconciliation_breaks",
    "kpi_reconciliation_breaks_daily",
}


@dataclass(frozen=True)
class Builds:
    work: Path
    warehouse: Path
    conninfo: str
    on_duckdb: DbtRun
    on_postgres: DbtRun
    copied: list[CopiedTable]


@pytest.fixture(scope="module")
def builds(default_network: Network, postgres_server) -> Builds:
    work = default_network.work
    with scoped_env({**default_network.dbt_env(), **postgres_server.dbt_env()}):
        with (
            duckdb.connect(str(default_network.warehouse)) as duck,
            psycopg.connect(postgres_server.conninfo) as pg,
        ):
            copied = copy_raw_schema(duck, pg)
        on_postgres = dbt_build("postgres", work)
    return Builds(
        work,
        default_network.warehouse,
        postgres_server.conninfo,
        default_network.on_duckdb,
        on_postgres,
        copied,
    )


def duckdb_rows(builds: Builds, sql: str) -> list[tuple]:
    with duckdb.connect(str(builds.warehouse)) as con:
        return con.execute(sql).fetchall()


def postgres_rows(builds: Builds, sql: str) -> list[tuple]:
    with psycopg.connect(builds.conninfo) as con:
        return con.execute(sql).fetchall()


def _canonical(row: tuple) -> tuple:
    """A row as (type, value) pairs; a Decimal by its text, so 60.0 and 60.00 differ too."""
    return tuple(
        (type(value).__name__, str(value) if isinstance(value, Decimal) else value) for value in row
    )


@contextmanager
def both_engines(builds: Builds) -> Iterator[tuple[duckdb.DuckDBPyConnection, psycopg.Connection]]:
    with duckdb.connect(str(builds.warehouse)) as duck, psycopg.connect(builds.conninfo) as pg:
        yield duck, pg


def table_differences(builds: Builds, schema: str) -> tuple[list[str], list[str]]:
    """(tables of `schema`, one line per table that differs between the engines). Rows are
    compared as multisets in Python, so neither engine's collation or null order decides."""
    with both_engines(builds) as (duck, pg):

        def on_both(sql: str) -> tuple[list[tuple], list[tuple]]:
            return duck.execute(sql).fetchall(), pg.execute(sql).fetchall()

        listed = on_both(
            "select table_name from information_schema.tables "
            f"where table_schema = '{schema}' order by table_name"
        )
        tables = [name for (name,) in listed[0]]
        if listed[0] != listed[1]:
            return tables, [f"{schema}: tables {listed[0]} on DuckDB, {listed[1]} on PostgreSQL"]
        differences = []
        for table in tables:
            columns = on_both(
                "select column_name from information_schema.columns where "
                f"table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
            )
            if columns[0] != columns[1]:
                differences.append(f"{schema}.{table}: columns differ")
                continue
            quoted = ", ".join(f'"{name}"' for (name,) in columns[0])  # "end", "date"
            rows = on_both(f"select {quoted} from {schema}.{table}")
            on_duckdb, on_pg = (Counter(map(_canonical, side)) for side in rows)
            if on_duckdb != on_pg:
                only_duckdb = list((on_duckdb - on_pg).elements())
                only_pg = list((on_pg - on_duckdb).elements())
                differences.append(
                    f"{schema}.{table}: {len(only_duckdb)} rows only on DuckDB, {len(only_pg)} "
                    f"only on PostgreSQL; first {only_duckdb[:1]} vs {only_pg[:1]}"
                )
    return tables, differences


def test_raw_copy_is_faithful_and_idempotent(builds: Builds) -> None:
    tables = {
        name for (name,) in duckdb_rows(
            builds,
            f"select table_name from information_schema.tables where table_schema = '{RAW_SCHEMA}'",
        )
    }  # fmt: skip
    assert {t.name for t in builds.copied} == tables
    assert sum(t.rows for t in builds.copied) > 10_000

    for table in builds.copied:
        (duck_count,) = duckdb_rows(builds, f"select count(*) from {RAW_SCHEMA}.{table.name}")[0]
        (pg_count,) = postgres_rows(builds, f"select count(*) from {RAW_SCHEMA}.{table.name}")[0]
        assert table.rows == duck_count == pg_count, table.name

    column_types = dict(
        postgres_rows(
            builds,
            """select column_name, format_type(atttypid, atttypmod)
            from information_schema.columns c
            join pg_attribute a on a.attrelid = 'raw.remittance_claim'::regclass
                and a.attname = c.column_name
            where c.table_schema = 'raw' and c.table_name = 'remittance_claim'""",
        )
    )
    assert column_types["paid_amount"] == "numeric(18,2)"
    assert column_types["payment_date"] == "date"
    assert column_types["received_at"] == "timestamp without time zone"
    assert column_types["claim_index"] == "bigint"
    assert column_types["schema_version"] == "integer"
    assert column_types["record_key"] == "text"

    # the same money and dates on both sides, not only the same counts
    money = "select sum(paid_amount), min(payment_date), max(received_at) from raw.remittance_claim"
    assert duckdb_rows(builds, money) == postgres_rows(builds, money)

    # a second copy replaces, never appends; the unchanged tables are kept (truncated)
    with (
        duckdb.connect(str(builds.warehouse)) as duck,
        psycopg.connect(builds.conninfo) as pg,
    ):
        again = copy_raw_schema(duck, pg)
    assert [(t.name, t.rows) for t in again] == [(t.name, t.rows) for t in builds.copied]
    assert not any(t.recreated for t in again)
    (pg_total,) = postgres_rows(builds, "select count(*) from raw.erp_master_record")[0]
    assert pg_total == next(t.rows for t in again if t.name == "erp_master_record")


def test_postgres_build_runs_every_test(builds: Builds) -> None:
    duck, pg = builds.on_duckdb, builds.on_postgres
    manifest = json.loads((builds.work / "target_postgres" / "manifest.json").read_text())
    data_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    # every model and seed built on both; every unit test and data test of the project ran
    assert pg.built() == duck.built()
    assert duck.count("model") > 0
    assert pg.count("unit_test") == len(manifest["unit_tests"]) > 0
    assert pg.count("test") == len(data_tests) > 0
    executed = {uid: s for uid, s in pg.statuses.items() if pg.resource_types[uid] != "exposure"}
    assert all(status in ("success", "pass") for status in executed.values())


def test_every_mart_is_identical_on_both(builds: Builds) -> None:
    # exact, types included: Decimal money with its scale, int counts, float rates, dates
    marts, differences = table_differences(builds, "marts")
    assert not differences
    assert set(marts) >= POPULATED_MARTS
    for mart in POPULATED_MARTS:
        assert duckdb_rows(builds, f"select count(*) from marts.{mart}")[0][0] > 0, mart


def test_seeds_staging_and_canonical_layer_are_identical_on_both(builds: Builds) -> None:
    # the marts could agree by luck (a tie-break that no mart reads yet): every layer must
    for schema in ("seeds", "staging", "intermediate"):
        tables, differences = table_differences(builds, schema)
        assert tables, schema
        assert not differences


def test_every_numeric_column_has_an_explicit_scale(builds: Builds) -> None:
    # PostgreSQL drops precision and scale through sum(), arithmetic and CASE without ELSE;
    # an unconstrained numeric column makes a dbt unit test expect 10.0 where the model gives
    # 10.00 (decision 0020): the outermost expression must be a cast
    unconstrained = postgres_rows(
        builds,
        """select table_schema || '.' || table_name || '.' || column_name
        from information_schema.columns
        where data_type = 'numeric' and numeric_precision is null
            and table_schema in ('seeds', 'staging', 'intermediate', 'marts')
        order by 1""",
    )
    assert unconstrained == []


def test_money_survives_the_round_trip_exactly(builds: Builds) -> None:
    # the journal feed's totals per account, as Decimals with two places on both engines
    totals = (
        "select account_code, sum(debit), sum(credit) from marts.fct_journal_feed "
        "group by account_code order by account_code"
    )
    on_duckdb = duckdb_rows(builds, totals)
    assert on_duckdb == postgres_rows(builds, totals)
    assert all(isinstance(debit, Decimal) for _, debit, _ in on_duckdb)
    assert sum(debit for _, debit, _ in on_duckdb) == sum(credit for _, _, credit in on_duckdb)


def test_copy_maps_types_and_recreates_a_changed_table(postgres_server) -> None:
    schema = "raw_copy_probe"
    with duckdb.connect(":memory:") as duck, psycopg.connect(postgres_server.conninfo) as pg:
        duck.execute(f"create schema {schema}")
        duck.execute(
            f"""create table {schema}.event (record_key varchar primary key,
            amount decimal(18, 2), units decimal(18, 4), day date, seen_at timestamp,
            payload json, flag boolean, "end" integer)"""
        )
        duck.execute(
            f"""insert into {schema}.event values
            ('k1', 12.50, 1.2500, '2026-03-01', '2026-03-01 10:00:00.5', '{{"a": [1, 2]}}',
             true, 7),
            ('k2', null, null, null, null, null, null, null)"""
        )
        first = copy_raw_schema(duck, pg, schema=schema)
        assert [(t.name, t.rows, t.recreated) for t in first] == [("event", 2, True)]
        types = dict(
            pg.execute(
                f"""select attname, format_type(atttypid, atttypmod) from pg_attribute
                where attrelid = '{schema}.event'::regclass and attnum > 0"""
            ).fetchall()
        )
        assert types == {
            "record_key": "text",
            "amount": "numeric(18,2)",
            "units": "numeric(18,4)",
            "day": "date",
            "seen_at": "timestamp without time zone",
            "payload": "json",
            "flag": "boolean",
            "end": "integer",
        }
        row = pg.execute(
            f"select amount, units, day, seen_at, payload -> 'a' ->> 1, flag, \"end\" "
            f"from {schema}.event where record_key = 'k1'"
        ).fetchone()
        assert row == (
            Decimal("12.50"),
            Decimal("1.2500"),
            dt.date(2026, 3, 1),
            dt.datetime(2026, 3, 1, 10, 0, 0, 500000),
            "2",
            True,
            7,
        )
        assert pg.execute(
            f"select count(*) from {schema}.event where amount is null and payload is null"
        ).fetchone() == (1,)
        # JSON keeps its text exactly (json, not jsonb), so hashes of it agree
        text = f"select cast(payload as varchar) from {schema}.event where record_key = 'k1'"
        assert pg.execute(text).fetchone() == duck.execute(text).fetchone()

        # a row deleted and a column added in DuckDB: the copy mirrors both
        duck.execute(f"delete from {schema}.event where record_key = 'k2'")
        duck.execute(f"alter table {schema}.event add column note varchar")
        second = copy_raw_schema(duck, pg, schema=schema)
        assert [(t.name, t.rows, t.recreated) for t in second] == [("event", 1, True)]
        assert pg.execute(f"select record_key, note from {schema}.event").fetchall() == [
            ("k1", None)
        ]

        # all or nothing: a table PostgreSQL rejects (text with a NUL byte) rolls back the whole
        # copy, including the table copied before it
        duck.execute(f"insert into {schema}.event (record_key) values ('k3')")
        duck.execute(f"create table {schema}.zz_rejected as select 'a' || chr(0) || 'b' as text")
        with pytest.raises(psycopg.DataError):
            copy_raw_schema(duck, pg, schema=schema)
        assert pg.execute(f"select record_key from {schema}.event").fetchall() == [("k1",)]

        duck.execute(f"create table {schema}.listy (record_key varchar, tags varchar[])")
        with pytest.raises(ValueError, match="no faithful PostgreSQL type"):
            copy_raw_schema(duck, pg, schema=schema)
