"""Incremental builds (issue 5, decision 0025): models advance on landing time and re-derive what
late and out-of-order events touch, so a daily run costs the day's data, and the result equals a
`--full-refresh` build of the same raw data.

A small simulated network (3 facilities: HL7 SIU, FHIR and vendor-CSV scheduling; 40 days) is
landed by the real landing code in three batches out of delivery order (see `shuffled_batches`),
with an incremental `dbt build` of the models after each. The same raw rows are then built with
`--full-refresh` in a warehouse of their own: every table of staging, intermediate and marts must
hold the same rows, Decimals compared by their text. The incremental SQL also runs on
PostgreSQL (a throw-away cluster, tests/dbt/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import pytest
from dbt_network import PSEUDONYM_KEY, dbt_build, scoped_env

from ingest.formats import PARSERS
from ingest.landing import RAW_SCHEMA, ensure_raw_schema, file_delivered_at, land_file
from ingest.pipeline import source_files

pytest.importorskip("dbt.cli.main")

SEED = 29
FACILITIES = 3  # three scheduling channels (HL7 SIU, FHIR, vendor CSV)
DAYS = 40
START = dt.date(2026, 1, 5)
COMPARED_SCHEMAS = ("staging", "intermediate", "marts")
MODELS_ONLY = ("--exclude-resource-type", "test", "unit_test")
DAILY_RUN_DAY = START + dt.timedelta(days=DAYS - 1)  # files delivered after it land before it


@dataclass(frozen=True)
class Delivery:
    source: str
    path: Path
    delivered_at: dt.datetime


@dataclass(frozen=True)
class Builds:
    incremental: Path  # warehouse built incrementally batch after batch
    full_refresh: Path  # the same raw rows built with --full-refresh
    batches: list[list[Delivery]]
    derived_by_daily_run: dict[str, int]  # model -> rows its SQL selected in the last run
    daily_run_from: dt.datetime  # landing time of the last batch's first file
    raw_before_daily_run: Path  # a warehouse with the raw rows of every batch but the last


def deliveries(landing: Path) -> list[Delivery]:
    """Every file the simulator delivered, in delivery order (its mtime, then its name)."""
    found = [
        Delivery(source, path, file_delivered_at(path))
        for source in PARSERS
        for path in source_files(landing / source)
    ]
    return sorted(found, key=lambda d: (d.delivered_at, d.source, d.path.name))


def shuffled_batches(files: list[Delivery], daily: dt.date) -> list[list[Delivery]]:
    """Landing batches out of delivery order, files shuffled inside each:
    1. the middle of the timeline and the ERP's first extract, but every other ERP extract
       file of the middle;
    2. the oldest and the newest files, and those ERP extracts (late master data: facts of
       batch 1 joined older versions);
    3. one delivery day (a daily run) with every 29th other file held back until then (late
       files landed after newer ones).
    One bank file never arrives: its payments turn from awaiting to missing deposit when a
    later bank day lands, with no event of their own."""
    day = [f for f in files if f.delivered_at.date() == daily]
    rest = [f for f in files if f.delivered_at.date() != daily]
    first_cut, second_cut = len(rest) * 2 // 5, len(rest) * 4 // 5
    extracts = [f for f in rest if f.source == "erp_master"]
    first_day = extracts[0].delivered_at.date()
    first_extract = [f for f in extracts if f.delivered_at.date() == first_day]
    middle = rest[first_cut:second_cut]
    never_delivered = next(f for f in rest[second_cut:] if f.source == "bai2")
    rest.remove(never_delivered)
    late_extracts = [f for f in middle if f.source == "erp_master"][1::2]
    late_files = [f for f in rest if f.source != "erp_master"][5::29]
    held_back = {f.path for f in late_extracts + late_files}
    early = middle + [f for f in first_extract if f not in middle]
    batches = [
        [f for f in early if f.path not in held_back],
        [f for f in rest if f not in early and f.path not in held_back] + late_extracts,
        day + late_files,
    ]
    rng = random.Random(SEED)
    for batch in batches:
        rng.shuffle(batch)
    return batches


def land(con: duckdb.DuckDBPyConnection, batch: list[Delivery], landing: Path) -> None:
    """Land with the real landing code, under the name `ingest.pipeline.land_source` gives."""
    for delivery in batch:
        parser = PARSERS[delivery.source]
        name = delivery.path.relative_to(landing).as_posix()
        land_file(con, delivery.path, delivery.source, parser.parse, parser.PARSER_VERSION, name)


def publish_raw(landed: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """The raw schema landed in memory (a commit per file is slow on disk) replaces the
    warehouse's, as landing into the warehouse file would have left it. Through a connection
    to the file: dbt-duckdb may still hold it open in this process."""
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        for table in raw_tables(landed):
            incoming = landed.sql(f"select * from {RAW_SCHEMA}.{table}").to_arrow_table()
            con.register("incoming", incoming)
            con.execute(f"delete from {RAW_SCHEMA}.{table}")
            con.execute(f"insert into {RAW_SCHEMA}.{table} select * from incoming")
            con.unregister("incoming")


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    listed = con.execute(
        f"select table_name from information_schema.tables where table_schema = '{RAW_SCHEMA}'"
    ).fetchall()
    return [name for (name,) in listed]


def selection(*, seeds: bool, marts: bool) -> tuple[str, ...]:
    """The canonical layer, where the incremental state lives; seeds on a first build only
    (they do not change); marts (tables rebuilt whole from the canonical layer) when compared."""
    layers = ["path:models/staging", "path:models/intermediate"]
    if seeds:
        layers.append("resource_type:seed")
    if marts:
        layers.append("path:models/marts")
    return ("--select", *layers)


def dbt_env(warehouse: Path) -> dict[str, str]:
    return {
        "HCOPS_WAREHOUSE": str(warehouse),
        "HCOPS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    from simulator import generate
    from simulator.scheduling import SchedulingParams

    work = tmp_path_factory.mktemp("incremental")
    landing = work / "landing"
    weekly_extracts = SchedulingParams(master_extracts="weekly")  # fewer files, same changes
    generate(landing, facilities=FACILITIES, days=DAYS, seed=SEED, start=START,
             scheduling=weekly_extracts)  # fmt: skip
    batches = shuffled_batches(deliveries(landing), DAILY_RUN_DAY)
    incremental = work / "incremental.duckdb"
    raw_before_daily_run = work / "raw_before_daily_run.duckdb"
    full_refresh = work / "full_refresh.duckdb"
    with duckdb.connect(":memory:") as landed:
        ensure_raw_schema(landed)
        with scoped_env(dbt_env(incremental)):
            for number, batch in enumerate(batches, start=1):
                if number == len(batches):
                    publish_raw(landed, raw_before_daily_run)
                    daily_run_from = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                land(landed, batch, landing)
                publish_raw(landed, incremental)
                last = number == len(batches)
                dbt_build("duckdb", work, *MODELS_ONLY, *selection(seeds=number == 1, marts=last))
        derived = rows_selected_by_last_run(work / "target_duckdb", incremental)
        publish_raw(landed, full_refresh)
    with scoped_env(dbt_env(full_refresh)):
        dbt_build("duckdb", work / "full_refresh", *MODELS_ONLY, "--full-refresh")
    return Builds(incremental, full_refresh, batches, derived, daily_run_from, raw_before_daily_run)


def rows_selected_by_last_run(target: Path, warehouse: Path) -> dict[str, int]:
    """Rows each incremental model's SQL selected in the last run: its compiled SQL (with that
    run's watermark) counted against the warehouse that run left (DuckDB reports no row counts
    to dbt)."""
    manifest = json.loads((target / "manifest.json").read_text())
    counts = {}
    with duckdb.connect(str(warehouse)) as con:
        for node in manifest["nodes"].values():
            if node["resource_type"] != "model" or node["config"]["materialized"] != "incremental":
                continue
            sql = (target / "compiled" / "hcops" / node["original_file_path"]).read_text()
            (count,) = con.execute(f"select count(*) from ({sql}) as selected").fetchone()
            counts[node["name"]] = count
    return counts


def _canonical(row: tuple) -> tuple:
    """A row as (type, value) pairs; a Decimal by its text, so 60.0 and 60.00 differ too."""
    return tuple(
        (type(value).__name__, str(value) if isinstance(value, Decimal) else value) for value in row
    )


@cache
def table_rows(warehouse: Path, schema: str) -> dict[str, tuple[list[tuple], Counter]]:
    """Every table of `schema`: (its columns and types, its rows as a multiset)."""
    tables = {}
    with duckdb.connect(str(warehouse)) as con:
        listed = con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
        for (table,) in listed:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            quoted = ", ".join(f'"{name}"' for name, _ in columns)  # "end", "date"
            found = con.execute(f"select {quoted} from {schema}.{table}").fetchall()
            tables[table] = (columns, Counter(map(_canonical, found)))
    return tables


def schema_differences(builds: Builds, schema: str) -> tuple[list[str], list[str]]:
    """(tables of `schema`, one line per table that differs between the incremental and the
    full-refresh warehouse)."""
    incremental = table_rows(builds.incremental, schema)
    full = table_rows(builds.full_refresh, schema)
    if sorted(incremental) != sorted(full):
        return sorted(incremental), [f"{schema}: tables {sorted(incremental)} vs {sorted(full)}"]
    differences = []
    for table, (columns, found) in sorted(incremental.items()):
        full_columns, expected = full[table]
        if columns != full_columns:
            differences.append(f"{schema}.{table}: columns {columns} vs {full_columns}")
        elif found != expected:
            only_incremental = list((found - expected).elements())
            only_full = list((expected - found).elements())
            differences.append(
                f"{schema}.{table}: {len(only_incremental)} rows only incremental, "
                f"{len(only_full)} only full refresh; first {only_incremental[:1]} vs "
                f"{only_full[:1]}"
            )
    return sorted(incremental), differences


def rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).fetchall()


def test_incremental_builds_equal_a_full_refresh(builds: Builds) -> None:
    for schema in COMPARED_SCHEMAS:
        tables, differences = schema_differences(builds, schema)
        assert tables, schema
        assert differences == []


def test_files_were_landed_late_and_out_of_order(builds: Builds) -> None:
    # batches landed after a batch delivered later than them: the arrival order was shuffled
    [(late, total)] = rows(
        builds.incremental,
        """with batches as (
            select delivered_at, max(delivered_at) over (
                order by received_at rows between unbounded preceding and 1 preceding
            ) as latest_delivery_landed_before
            from raw.landing_batches
        )
        select count(*) filter (where delivered_at < latest_delivery_landed_before), count(*)
        from batches""",
    )
    assert total == sum(len(batch) for batch in builds.batches)
    assert late > total // 4
    # events of one appointment landed after its later events; 835s landed before their 837
    [(out_of_order,)] = rows(
        builds.incremental,
        "select count(*) from intermediate.int_appointment_events_ordered "
        "where arrived_out_of_order",
    )
    assert out_of_order > 0
    [(paid_before_billed,)] = rows(
        builds.incremental,
        """select count(*) from staging.stg_x12_835__remittance_claims as remits
        where remits.received_at < (
            select min(submissions.received_at) from staging.stg_x12_837__claim_submissions
                as submissions
            where submissions.claim_key = remits.claim_key
        )""",
    )
    assert paid_before_billed > 0


def test_a_daily_run_costs_the_days_data(builds: Builds) -> None:
    derived = builds.derived_by_daily_run
    full = {
        name: rows(builds.full_refresh, f"select count(*) from {schema}.{name}")[0][0]
        for name in derived
        for schema in ["staging" if name.startswith("stg_") else "intermediate"]
    }
    # staging: exactly the rows landed in the daily run, never the history
    staged = {name: count for name, count in derived.items() if name.startswith("stg_")}
    for name, count in staged.items():
        [(landed,)] = rows(
            builds.incremental,
            f"select count(*) from staging.{name} where received_at >= ?",
            [builds.daily_run_from],
        )
        assert count == landed, name
    assert 0 < sum(staged.values()) < sum(full[name] for name in staged) / 10
    # appointment history: every event of the appointments with an event landed since the
    # previous run's last landing (taken again: ties lose nothing), and no other
    channels = " union all ".join(
        f"select appointment_key, received_at from staging.stg_{channel}__appointment_events"
        for channel in ("hl7_siu", "fhir", "vendor_csv")
    )
    [(touched_events,)] = rows(
        builds.incremental,
        f"""with events as ({channels})
        select count(*) from events where appointment_key in (
            select appointment_key from events where received_at >= (
                select max(received_at) from events where received_at < ?
            )
        )""",
        [builds.daily_run_from],
    )
    assert derived["int_appointment_events_ordered"] == touched_events
    # the canonical entities: those the day's events touch (a day's 835 pays claims of weeks
    # before it), short of the history
    canonical = {name: count for name, count in derived.items() if name.startswith("int_")}
    shares = {name: f"{count} of {full[name]}" for name, count in sorted(canonical.items())}
    assert 0 < sum(canonical.values()) < sum(full[name] for name in canonical) / 3, shares
    for name, count in canonical.items():
        assert count < full[name] / 2, shares


def test_incremental_build_on_postgres_equals_a_full_refresh(
    builds: Builds, postgres_server, tmp_path: Path
) -> None:
    """The incremental SQL on PostgreSQL: the canonical layer built on every batch but the
    last, then incrementally after the last, equals the full refresh on DuckDB (the
    portability test holds full builds, marts included, equal on both engines)."""
    psycopg = pytest.importorskip("psycopg")
    from ingest.warehouse_postgres import copy_raw_schema

    server = replace(postgres_server, dbname="hcops_incremental")
    create_byte_order_database(psycopg, postgres_server, server.dbname)
    with scoped_env({**dbt_env(builds.full_refresh), **server.dbt_env()}):
        for first, raw in ((True, builds.raw_before_daily_run), (False, builds.full_refresh)):
            with duckdb.connect(str(raw)) as duck, psycopg.connect(server.conninfo) as pg:
                copy_raw_schema(duck, pg)
            dbt_build("postgres", tmp_path, *MODELS_ONLY, *selection(seeds=first, marts=False))
        with psycopg.connect(server.conninfo) as pg:
            for schema in ("staging", "intermediate"):
                expected = table_rows(builds.full_refresh, schema)
                for table, (_, found) in postgres_table_rows(pg, schema).items():
                    assert found == expected[table][1], f"{schema}.{table}"
                assert sorted(postgres_table_rows(pg, schema)) == sorted(expected), schema


def create_byte_order_database(psycopg, server, dbname: str) -> None:
    """A database of its own (the portability test builds in `hcops`), compared in byte order
    as the project requires (decision 0020)."""
    with psycopg.connect(server.conninfo, autocommit=True) as con:
        con.execute(f'drop database if exists "{dbname}"')
        create = f"create database \"{dbname}\" template template0 lc_collate 'C'"
        try:
            con.execute(f"{create} lc_ctype 'C.utf8'")
        except psycopg.errors.InvalidParameterValue:
            con.execute(f"{create} lc_ctype 'C'")


def postgres_table_rows(pg, schema: str) -> dict[str, tuple[list[tuple], Counter]]:
    tables = {}
    listed = pg.execute(
        "select table_name from information_schema.tables where table_schema = %s", [schema]
    ).fetchall()
    for (table,) in listed:
        columns = pg.execute(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            [schema, table],
        ).fetchall()
        quoted = ", ".join(f'"{name}"' for (name,) in columns)
        found = pg.execute(f"select {quoted} from {schema}.{table}").fetchall()
        tables[table] = (columns, Counter(map(_canonical, found)))
    return tables
