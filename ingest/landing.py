"""Raw landing in the warehouse: append-only tables per record kind, a deterministic key per
record, dead letters with their payload, and a conservation row per batch.

received = landed + duplicates + dead_lettered, counted in parsed items (records and dead
letters) of one file. Each batch also records `messages_received`: the messages (X12
transaction sets, HL7 messages, NDJSON lines, CSV rows, a BAI2 file) that arrived in it, the
denominator of the integration failure rate (ingest.message_units, decision 0024). A file
already landed (same path and content) is skipped, so re-running a landing changes nothing: a
sender's re-delivery under the same name and content is indistinguishable from that re-run.

Two times per row (decision 0014): `received_at` is when we landed it (processing time) and
`delivered_at` when the payload arrived: a file's modification time, an MLLP message's socket
arrival, a FHIR page's fetch time, else the caller's value (default: `received_at`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from ingest.message_units import count_messages
from ingest.records import RECORD_TYPES, DeadLetter, Record, schema_version_of

RAW_SCHEMA = "raw"
Parser = Callable[[bytes, str], Iterable[Record | DeadLetter]]

_SQL_TYPES = {
    str: "VARCHAR",
    bool: "BOOLEAN",
    int: "BIGINT",
    Decimal: "DECIMAL(18, 2)",
    dt.date: "DATE",
    dt.datetime: "TIMESTAMP",
}
_METADATA_COLUMNS = (
    ("record_key", "VARCHAR PRIMARY KEY"),
    ("batch_id", "VARCHAR NOT NULL"),
    ("source_file", "VARCHAR NOT NULL"),
    ("item_index", "BIGINT NOT NULL"),
    ("received_at", "TIMESTAMP NOT NULL"),
    ("parser_version", "VARCHAR NOT NULL"),
    ("schema_version", "INTEGER NOT NULL"),
)
# added after the first warehouses: always by ADD COLUMN, so that old and new tables have the
# same column order (null in rows landed before it existed)
DELIVERED_AT = "delivered_at"
MESSAGES_RECEIVED = "messages_received"
_DEAD_LETTER_COLUMNS = (
    "dead_letter_key",
    "batch_id",
    "source",
    "source_file",
    "item_index",
    "error_class",
    "reason",
    "payload",
    "parser_version",
    "first_seen_at",
    "last_seen_at",
    "attempts",
    DELIVERED_AT,
)
_BATCH_COLUMNS = (
    "batch_id",
    "source",
    "source_file",
    "file_sha256",
    "file_bytes",
    "received_at",
    "parser_version",
    "received",
    "landed",
    "duplicates",
    "dead_lettered",
    DELIVERED_AT,
    MESSAGES_RECEIVED,
)


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    source: str
    source_file: str
    received: int
    landed: int
    duplicates: int
    dead_lettered: int
    skipped: bool = False  # the same file was landed before: nothing parsed
    # messages that arrived in the batch (not items: one 837 transaction holds many claims);
    # 0 for a re-drive of dead letters, whose messages were counted when they arrived
    messages_received: int = 0

    @property
    def conserved(self) -> bool:
        return self.received == self.landed + self.duplicates + self.dead_lettered


def _sql_type(annotation: object) -> str:
    hints = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    base = next((h for h in hints if h is not type(None)), annotation)
    return _SQL_TYPES[base]


def _column_types(record_type: type) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(record_type)
    return [(f.name, _sql_type(hints[f.name])) for f in dataclasses.fields(record_type)]


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema, one table per record kind, dead letters and batches.
    Idempotent; upgrades tables created by an older version (new columns are added)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    existing = _existing_columns(con)
    for record_type in RECORD_TYPES:
        fields = _column_types(record_type)
        ddl = ", ".join(f'"{name}" {sql}' for name, sql in [*_METADATA_COLUMNS, *fields])
        con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{record_type.kind} ({ddl})")
        if record_type.kind in existing:
            # fields of a newer record version (e.g. group_created_at) on a table made by an
            # older one: rows landed before keep null there, as their upcasters say
            for name, sql in fields:
                if name not in existing[record_type.kind]:
                    con.execute(
                        f'ALTER TABLE {RAW_SCHEMA}.{record_type.kind} ADD COLUMN "{name}" {sql}'
                    )
        _add_delivered_at(con, record_type.kind)
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.dead_letters (
            dead_letter_key VARCHAR PRIMARY KEY, batch_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL, source_file VARCHAR NOT NULL, item_index BIGINT NOT NULL,
            error_class VARCHAR NOT NULL, reason VARCHAR NOT NULL, payload VARCHAR NOT NULL,
            parser_version VARCHAR NOT NULL, first_seen_at TIMESTAMP NOT NULL,
            last_seen_at TIMESTAMP NOT NULL, attempts INTEGER NOT NULL)"""
    )
    # added for replay (ingest.replay); ADD COLUMN keeps warehouses made before it working
    for column, sql in (("resolved_at", "TIMESTAMP"), ("resolved_by_parser_version", "VARCHAR")):
        con.execute(
            f"ALTER TABLE {RAW_SCHEMA}.dead_letters ADD COLUMN IF NOT EXISTS {column} {sql}"
        )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.landing_batches (
            batch_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, source_file VARCHAR NOT NULL,
            file_sha256 VARCHAR NOT NULL, file_bytes BIGINT NOT NULL,
            received_at TIMESTAMP NOT NULL, parser_version VARCHAR NOT NULL,
            received BIGINT NOT NULL, landed BIGINT NOT NULL, duplicates BIGINT NOT NULL,
            dead_lettered BIGINT NOT NULL)"""
    )
    _add_delivered_at(con, "dead_letters")
    _add_delivered_at(con, "landing_batches")
    con.execute(
        f"ALTER TABLE {RAW_SCHEMA}.landing_batches "
        f"ADD COLUMN IF NOT EXISTS {MESSAGES_RECEIVED} BIGINT"
    )


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The raw tables there are and their columns."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and table_catalog = current_database()",
        [RAW_SCHEMA],
    ).fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def _add_delivered_at(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        f"ALTER TABLE {RAW_SCHEMA}.{table} ADD COLUMN IF NOT EXISTS {DELIVERED_AT} TIMESTAMP"
    )


def naive_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp as the warehouse keeps it: naive UTC (an aware value is converted)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def file_delivered_at(path: Path) -> dt.datetime:
    """When a file arrived: its modification time, naive UTC (the sender's or simulator's
    delivery time; a copy that keeps mtimes keeps it)."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)


def _json_default(value: object) -> str:
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    raise TypeError(f"cannot key {type(value).__name__}")


def record_key(record: Record) -> str:
    """Deterministic key from the record kind and its key fields."""
    values = [getattr(record, name) for name in record.key_fields]
    text = json.dumps([record.kind, *values], default=_json_default, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def dead_letter_key(source: str, dead: DeadLetter) -> str:
    """Deterministic key of a dead letter: the same payload of a source is one dead letter."""
    return hashlib.sha256(f"{source}\x00{dead.payload}".encode()).hexdigest()


def _already_landed(con: duckdb.DuckDBPyConnection, source_file: str, sha256: str) -> bool:
    row = con.execute(
        f"SELECT 1 FROM {RAW_SCHEMA}.landing_batches WHERE source_file = ? AND file_sha256 = ?",
        [source_file, sha256],
    ).fetchone()
    return row is not None


def _insert_records(
    con: duckdb.DuckDBPyConnection, kind: str, rows: list[dict[str, object]]
) -> tuple[int, int]:
    """Insert rows whose key is new; returns (landed, duplicates)."""
    unique: dict[str, dict[str, object]] = {}
    for row in rows:
        unique.setdefault(str(row["record_key"]), row)
    con.register("incoming_keys", pd.DataFrame({"record_key": list(unique)}))
    try:
        existing = {
            key
            for (key,) in con.execute(
                f"SELECT record_key FROM {RAW_SCHEMA}.{kind} JOIN incoming_keys USING (record_key)"
            ).fetchall()
        }
    finally:
        con.unregister("incoming_keys")
    new_rows = [row for key, row in unique.items() if key not in existing]
    if new_rows:
        columns = ", ".join(f'"{name}"' for name in new_rows[0])
        con.register("incoming_rows", pd.DataFrame(new_rows))
        try:
            con.execute(
                f"INSERT INTO {RAW_SCHEMA}.{kind} ({columns}) SELECT {columns} FROM incoming_rows"
            )
        finally:
            con.unregister("incoming_rows")
    return len(new_rows), len(rows) - len(new_rows)


def land_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: str,
    parse: Parser,
    parser_version: str,
    source_file: str | None = None,
    now: dt.datetime | None = None,
    delivered_at: dt.datetime | None = None,
) -> BatchResult:
    """Parse one file and land its records and dead letters in one transaction;
    `delivered_at` defaults to the file's modification time."""
    arrived = delivered_at or file_delivered_at(path)
    data = path.read_bytes()
    name = source_file or str(path)
    return land_bytes(con, data, source, parse, parser_version, name, now, delivered_at=arrived)


def land_bytes(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    source: str,
    parse: Parser,
    parser_version: str,
    source_file: str,
    now: dt.datetime | None = None,
    reprocess: bool = False,
    delivered_at: dt.datetime | None = None,
) -> BatchResult:
    """Parse one payload (a file, one MLLP message) and land it in one transaction.

    The same payload under the same `source_file` is skipped (nothing parsed), unless
    `reprocess`: then it is parsed and landed again as a new batch (its own batch id), and
    record keys keep the effect exactly-once (re-landed records count as duplicates).
    `delivered_at` is when the payload arrived (default: the landing time). The payload's
    messages are counted from its bytes, so a copy whose records are all duplicates still
    counts the messages it delivered."""
    sha256 = hashlib.sha256(data).hexdigest()
    received_at = naive_utc(now) if now else dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if reprocess:
        batch_id = uuid.uuid4().hex
    else:
        batch_id = hashlib.sha256(f"{source_file}\x00{sha256}".encode()).hexdigest()[:32]
        if _already_landed(con, source_file, sha256):
            return BatchResult(batch_id, source, source_file, 0, 0, 0, 0, skipped=True)
    items = list(parse(data, source_file))
    dead_letters = sum(1 for item in items if isinstance(item, DeadLetter))
    with transaction(con):
        return write_batch(
            con,
            items,
            batch_id=batch_id,
            source=source,
            source_file=source_file,
            sha256=sha256,
            size=len(data),
            parser_version=parser_version,
            received_at=received_at,
            delivered_at=delivered_at,
            messages_received=count_messages(source, data, dead_letters),
        )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, ROLLBACK (and re-raise) on any error: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def write_batch(
    con: duckdb.DuckDBPyConnection,
    items: Sequence[Record | DeadLetter],
    *,
    batch_id: str,
    source: str,
    source_file: str,
    sha256: str,
    size: int,
    parser_version: str,
    received_at: dt.datetime,
    delivered_at: dt.datetime | None = None,
    messages_received: int = 0,
) -> BatchResult:
    """Insert parsed items (records by key, dead letters by payload) and the batch row.
    Runs inside the caller's transaction (see `transaction`). `delivered_at` (default
    `received_at`) is stamped on every row. `messages_received`: the messages that arrived
    with the items (0 when they arrived before, as for a re-drive of dead letters)."""
    arrived = naive_utc(delivered_at) if delivered_at else received_at
    by_kind: dict[str, list[dict[str, object]]] = {}
    dead_letters: list[tuple[int, DeadLetter]] = []
    for index, item in enumerate(items):
        if isinstance(item, DeadLetter):
            dead_letters.append((index, item))
            continue
        row = {
            "record_key": record_key(item),
            "batch_id": batch_id,
            "source_file": source_file,
            "item_index": index,
            "received_at": received_at,
            "parser_version": parser_version,
            "schema_version": schema_version_of(type(item)),
            **{f.name: getattr(item, f.name) for f in dataclasses.fields(item)},
            DELIVERED_AT: arrived,
        }
        by_kind.setdefault(item.kind, []).append(row)

    landed = duplicates = 0
    for kind, rows in by_kind.items():
        new, dup = _insert_records(con, kind, rows)
        landed, duplicates = landed + new, duplicates + dup
    for index, dead in dead_letters:
        con.execute(
            f"""INSERT INTO {RAW_SCHEMA}.dead_letters ({", ".join(_DEAD_LETTER_COLUMNS)})
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            ON CONFLICT (dead_letter_key) DO UPDATE
            SET last_seen_at = excluded.last_seen_at, attempts = dead_letters.attempts + 1,
                delivered_at = coalesce(dead_letters.delivered_at, excluded.delivered_at)""",
            [
                dead_letter_key(source, dead),
                batch_id,
                source,
                source_file,
                index,
                dead.error_class,
                dead.reason,
                dead.payload,
                parser_version,
                received_at,
                received_at,
                arrived,
            ],
        )
    result = BatchResult(
        batch_id,
        source,
        source_file,
        len(items),
        landed,
        duplicates,
        len(dead_letters),
        messages_received=messages_received,
    )
    _insert_batch_row(con, result, sha256, size, parser_version, received_at, arrived)
    return result


def _insert_batch_row(
    con: duckdb.DuckDBPyConnection,
    result: BatchResult,
    sha256: str,
    size: int,
    parser_version: str,
    received_at: dt.datetime,
    delivered_at: dt.datetime,
) -> None:
    marks = ", ".join("?" for _ in _BATCH_COLUMNS)
    con.execute(
        f"INSERT INTO {RAW_SCHEMA}.landing_batches ({', '.join(_BATCH_COLUMNS)}) VALUES ({marks})",
        [
            result.batch_id,
            result.source,
            result.source_file,
            sha256,
            size,
            received_at,
            parser_version,
            result.received,
            result.landed,
            result.duplicates,
            result.dead_lettered,
            delivered_at,
            result.messages_received,
        ],
    )
