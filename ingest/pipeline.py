"""Land every new file of a source folder: the unit of work the orchestration schedules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb

from ingest.formats import PARSERS
from ingest.landing import BatchResult, ensure_raw_schema, land_file

# files the simulator or a sender may leave next to the data, never landed
_IGNORED_SUFFIXES = {".tmp", ".part", ".md"}


def source_files(folder: Path) -> Iterator[Path]:
    """Files of a source folder in a stable order (path order = delivery order)."""
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix not in _IGNORED_SUFFIXES and not path.name.startswith("."):
            yield path


def land_source(warehouse: Path, source: str, folder: Path) -> list[BatchResult]:
    """Land the files of one source folder not landed before; one batch per file."""
    parser = PARSERS[source]
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
        return [
            land_file(
                con,
                path,
                source,
                parser.parse,
                parser.PARSER_VERSION,
                source_file=f"{source}/{path.relative_to(folder).as_posix()}",
            )
            for path in source_files(folder)
        ]
