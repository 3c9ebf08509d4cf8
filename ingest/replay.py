"""Replay: re-drive dead letters after a parser fix, re-process chosen files or a time window.

Both are exactly-once in effect: records land by their deterministic key, so what landed
before counts as a duplicate, never as a second row.

- `redrive_dead_letters` re-parses the payload of every unresolved dead letter with the
  current parser (or the one given). All or nothing per dead letter: when the payload now
  yields records only, they land as a new batch (received = landed + duplicates) and the dead
  letter is marked resolved (`resolved_at`, `resolved_by_parser_version`) in the same
  transaction; otherwise nothing lands and the dead letter gets `attempts + 1` and a new
  `last_seen_at`. Resolved dead letters are never re-driven again.
- `reprocess_files` lands chosen files again (bypassing the same-file skip) as new batches,
  by path or by the landing time window of their earlier batches.

A re-driven or re-processed payload keeps its arrival time (`delivered_at`: the dead letter's,
else its first landing for one landed before the column existed; the file's modification
time); only `received_at` is the time of the replay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from ingest.formats import PARSERS
from ingest.landing import (
    RAW_SCHEMA,
    BatchResult,
    Parser,
    ensure_raw_schema,
    file_delivered_at,
    land_bytes,
    transaction,
    write_batch,
)
from ingest.records import DeadLetter, Record


class ParserModule(Protocol):
    """What a parser module of `ingest.formats` exposes (a test double can too)."""

    SOURCE: str
    PARSER_VERSION: str

    def parse(self, data: bytes, filename: str) -> Iterable[Record | DeadLetter]: ...


@dataclass(frozen=True)
class RedriveResult:
    examined: int  # unresolved dead letters looked at
    resolved: int
    still_failing: int
    landed: int  # records newly landed by the resolved ones
    duplicates: int  # records that had landed already
    batches: tuple[BatchResult, ...] = ()


@dataclass(frozen=True)
class ReprocessResult:
    batches: tuple[BatchResult, ...]
    missing: tuple[str, ...] = field(default=())  # source files no longer on disk

    @property
    def landed(self) -> int:
        return sum(b.landed for b in self.batches)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _parser_for(source: str, parser: ParserModule | None) -> ParserModule | None:
    if parser is not None:
        return parser if source == parser.SOURCE else None
    return PARSERS.get(source)  # type: ignore[return-value] - modules satisfy the protocol


def redrive_dead_letters(
    warehouse: Path,
    source: str | None = None,
    parser: ParserModule | None = None,
    now: dt.datetime | None = None,
) -> RedriveResult:
    """Re-drive the unresolved dead letters of `source` (default: the parser's source, else
    every source) with `parser` (default: the registered parser of each source)."""
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        return redrive(con, source or (parser.SOURCE if parser else None), parser, now)


def redrive(
    con: duckdb.DuckDBPyConnection,
    source: str | None = None,
    parser: ParserModule | None = None,
    now: dt.datetime | None = None,
) -> RedriveResult:
    """`redrive_dead_letters` on an open connection."""
    at = now or _now()
    rows = con.execute(
        f"""SELECT dead_letter_key, source, source_file, payload,
            coalesce(delivered_at, first_seen_at) FROM {RAW_SCHEMA}.dead_letters
        WHERE resolved_at IS NULL AND (? IS NULL OR source = ?)
        ORDER BY first_seen_at, dead_letter_key""",
        [source, source],
    ).fetchall()
    examined = resolved = failing = landed = duplicates = 0
    batches: list[BatchResult] = []
    for key, row_source, source_file, payload, delivered_at in rows:
        module = _parser_for(row_source, parser)
        if module is None:
            continue
        examined += 1
        data = payload.encode("utf-8")
        items = _parse(module, data, source_file)
        with transaction(con):
            if items and not any(isinstance(i, DeadLetter) for i in items):
                batch = write_batch(
                    con,
                    items,
                    batch_id=uuid.uuid4().hex,
                    source=row_source,
                    source_file=source_file,
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    parser_version=module.PARSER_VERSION,
                    received_at=at,
                    delivered_at=delivered_at,  # the payload arrived then, not now
                )
                con.execute(
                    f"""UPDATE {RAW_SCHEMA}.dead_letters SET resolved_at = ?,
                    resolved_by_parser_version = ?, last_seen_at = ?, attempts = attempts + 1
                    WHERE dead_letter_key = ?""",
                    [at, module.PARSER_VERSION, at, key],
                )
                batches.append(batch)
                resolved += 1
                landed, duplicates = landed + batch.landed, duplicates + batch.duplicates
            else:
                con.execute(
                    f"""UPDATE {RAW_SCHEMA}.dead_letters
                    SET attempts = attempts + 1, last_seen_at = ? WHERE dead_letter_key = ?""",
                    [at, key],
                )
                failing += 1
    return RedriveResult(examined, resolved, failing, landed, duplicates, tuple(batches))


def _parse(module: ParserModule, data: bytes, source_file: str) -> list[Record | DeadLetter]:
    try:
        return list(module.parse(data, source_file))
    except Exception as exc:  # noqa: BLE001 - a broken parser leaves the dead letter as it is
        return [DeadLetter(module.SOURCE, "ParserError", repr(exc), "", 0)]


def reprocess_files(
    warehouse: Path,
    landing: Path,
    source: str,
    files: Sequence[Path | str] = (),
    window: tuple[dt.datetime, dt.datetime] | None = None,
    parser: ParserModule | None = None,
    now: dt.datetime | None = None,
) -> ReprocessResult:
    """Land again the chosen files of `<landing>/<source>/`: `files` (paths, absolute or
    relative to the source folder) and / or the files whose earlier batches were landed in
    `window` [start, end). Each is a new batch; nothing lands twice."""
    module = parser or PARSERS[source]
    folder = landing / source
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        names = [_source_file(source, folder, Path(f)) for f in files]
        if window is not None:
            names += [
                name
                for (name,) in con.execute(
                    f"""SELECT DISTINCT source_file FROM {RAW_SCHEMA}.landing_batches
                    WHERE source = ? AND received_at >= ? AND received_at < ?
                    ORDER BY source_file""",
                    [source, window[0], window[1]],
                ).fetchall()
            ]
        batches: list[BatchResult] = []
        missing: list[str] = []
        parse: Parser = module.parse
        for name in dict.fromkeys(names):  # each file once, in the order asked
            path = landing / name
            if not path.is_file():
                missing.append(name)
                continue
            batches.append(
                land_bytes(
                    con,
                    path.read_bytes(),
                    source,
                    parse,
                    module.PARSER_VERSION,
                    name,
                    now=now,
                    reprocess=True,
                    delivered_at=file_delivered_at(path),
                )
            )
    return ReprocessResult(tuple(batches), tuple(missing))


def _source_file(source: str, folder: Path, path: Path) -> str:
    """The name `ingest.pipeline.land_source` gives a file: `<source>/<relative path>`."""
    relative = path.relative_to(folder) if path.is_absolute() else path
    return f"{source}/{relative.as_posix()}"
