"""Copy the raw landing schema of a DuckDB warehouse into PostgreSQL (scale path, DESIGN §8).

Landing writes DuckDB (`ingest.landing`); the same dbt project builds on PostgreSQL once the
`raw` tables are there. Every table is fully replaced inside one PostgreSQL transaction
(TRUNCATE + COPY, decision 0019): running it twice gives the same tables, rows deleted or
updated in DuckDB (dead letters resolved by replay) are mirrored, and readers see the old or
the new copy, never half of it. Types are mapped one to one (DECIMAL(p,s) -> numeric(p,s),
DATE -> date, TIMESTAMP -> timestamp, JSON -> json, ...); an unknown type is an error, never a
silent text column. A table whose columns changed in DuckDB is re-created.

    HCOPS_WAREHOUSE=... HCOPS_PG_HOST=... python -m ingest.warehouse_postgres
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from ingest.landing import RAW_SCHEMA

_FETCH_ROWS = 10_000
_SCALAR_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "BLOB": "bytea",
    "JSON": "json",  # not jsonb: json keeps the text as landed (key order, spacing)
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@dataclass(frozen=True)
class Column:
    name: str
    postgres_type: str
    nullable: bool


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int
    recreated: bool  # dropped and created (new table or changed columns), else truncated


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type that holds every value of a DuckDB column type exactly."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    try:
        return _SCALAR_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(f"no faithful PostgreSQL type for DuckDB type {duckdb_type}") from None


def raw_table_specs(duck: duckdb.DuckDBPyConnection, schema: str = RAW_SCHEMA) -> list[TableSpec]:
    """The tables of a DuckDB schema with their columns (in order) and primary keys."""
    columns: dict[str, list[Column]] = {}
    for table, name, data_type, nullable in duck.execute(
        """select table_name, column_name, data_type, is_nullable = 'YES'
        from information_schema.columns where table_schema = ?
        order by table_name, ordinal_position""",
        [schema],
    ).fetchall():
        columns.setdefault(table, []).append(Column(name, postgres_type(data_type), nullable))
    keys = dict(
        duck.execute(
            """select table_name, constraint_column_names from duckdb_constraints()
            where schema_name = ? and constraint_type = 'PRIMARY KEY'""",
            [schema],
        ).fetchall()
    )
    return [TableSpec(t, tuple(c), tuple(keys.get(t, ()))) for t, c in sorted(columns.items())]


def _existing_columns(pg: psycopg.Connection, schema: str, table: str) -> tuple[Column, ...]:
    rows = pg.execute(
        """select a.attname, format_type(a.atttypid, a.atttypmod), not a.attnotnull
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
        order by a.attnum""",
        [schema, table],
    ).fetchall()
    return tuple(Column(name, _canonical(kind), nullable) for name, kind, nullable in rows)


def _canonical(postgres_type_name: str) -> str:
    """format_type() spelling -> the spelling postgres_type() uses, to compare columns."""
    spelled = {
        "timestamp without time zone": "timestamp",
        "timestamp with time zone": "timestamptz",
        "time without time zone": "time",
    }
    decimal = re.fullmatch(r"numeric\((\d+),(\d+)\)", postgres_type_name)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    return spelled.get(postgres_type_name, postgres_type_name)


def _create_table(pg: psycopg.Connection, schema: str, spec: TableSpec) -> None:
    definitions = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(c.name),
            sql.SQL(c.postgres_type),
            sql.SQL("" if c.nullable else " not null"),
        )
        for c in spec.columns
    ]
    if spec.primary_key:
        keys = sql.SQL(", ").join(map(sql.Identifier, spec.primary_key))
        definitions.append(sql.SQL("primary key ({})").format(keys))
    pg.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(schema, spec.name)))
    pg.execute(
        sql.SQL("create table {} ({})").format(
            sql.Identifier(schema, spec.name), sql.SQL(", ").join(definitions)
        )
    )


def _copy_rows(
    duck: duckdb.DuckDBPyConnection, pg: psycopg.Connection, schema: str, spec: TableSpec
) -> int:
    names = [c.name for c in spec.columns]
    select = "select {} from {}.{}".format(
        ", ".join(f'"{n}"' for n in names), f'"{schema}"', f'"{spec.name}"'
    )
    copy = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(schema, spec.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    rows = 0
    result = duck.execute(select)
    with pg.cursor() as cursor, cursor.copy(copy) as stream:
        while batch := result.fetchmany(_FETCH_ROWS):
            for row in batch:
                stream.write_row(row)
            rows += len(batch)
    return rows


def copy_raw_schema(
    duck: duckdb.DuckDBPyConnection,
    pg: psycopg.Connection,
    schema: str = RAW_SCHEMA,
    tables: Sequence[str] | None = None,
) -> list[CopiedTable]:
    """Replace every table of `schema` (or the given ones) in PostgreSQL by its DuckDB content,
    all in one transaction; returns the rows copied per table."""
    specs = [s for s in raw_table_specs(duck, schema) if tables is None or s.name in tables]
    copied = []
    with pg.transaction():
        pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        for spec in specs:
            recreate = _existing_columns(pg, schema, spec.name) != spec.columns
            if recreate:
                _create_table(pg, schema, spec)
            else:
                pg.execute(sql.SQL("truncate {}").format(sql.Identifier(schema, spec.name)))
            rows = _copy_rows(duck, pg, schema, spec)
            pg.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, spec.name)))
            copied.append(CopiedTable(spec.name, rows, recreate))
    return copied


def conninfo_from_env(env: Mapping[str, str] | None = None) -> str:
    """libpq connection string from the HCOPS_PG_* variables the dbt `postgres` target reads."""
    env = os.environ if env is None else env
    return psycopg.conninfo.make_conninfo(
        host=env.get("HCOPS_PG_HOST", "127.0.0.1"),
        port=env.get("HCOPS_PG_PORT", "5432"),
        user=env.get("HCOPS_PG_USER", "hcops"),
        password=env.get("HCOPS_PG_PASSWORD", ""),
        dbname=env.get("HCOPS_PG_DBNAME", "hcops"),
        sslmode=env.get("HCOPS_PG_SSLMODE", "prefer"),
    )


def copy_warehouse(warehouse: Path, conninfo: str) -> list[CopiedTable]:
    """Open the DuckDB warehouse read-only (a landing run must not be writing) and copy."""
    with duckdb.connect(str(warehouse), read_only=True) as duck, psycopg.connect(conninfo) as pg:
        return copy_raw_schema(duck, pg)


def main() -> None:
    copied = copy_warehouse(Path(os.environ["HCOPS_WAREHOUSE"]), conninfo_from_env())
    for table in copied:
        print(f"{RAW_SCHEMA}.{table.name}: {table.rows} rows")


if __name__ == "__main__":
    main()
