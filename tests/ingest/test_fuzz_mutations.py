"""Mutated messages never crash a parser, and landing them conserves every item:
received = landed + duplicates + dead-lettered. Seeded mutations of simulated files."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from ingest.formats import PARSERS
from ingest.landing import ensure_raw_schema, land_file
from ingest.records import DeadLetter

MUTATIONS_PER_SOURCE = 60
SOURCES = ("hl7_siu", "fhir", "vendor_csv", "x12_837", "x12_999", "x12_277", "x12_835", "bai2")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulator import generate
    from simulator.faults import FaultParams

    out = tmp_path_factory.mktemp("fuzz_network")
    generate(out, facilities=3, days=21, seed=13, faults=FaultParams.none())
    return out


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One of: cut, delete a span, duplicate a span, flip bytes, swap a separator, splice
    garbage — the damage real feeds show."""
    if len(data) < 8:
        return data + bytes(rng.randrange(256) for _ in range(8))
    i, j = sorted(rng.sample(range(len(data)), 2))
    kind = rng.randrange(6)
    if kind == 0:
        return data[:i]
    if kind == 1:
        return data[:i] + data[j:]
    if kind == 2:
        return data[:j] + data[i:j] + data[j:]
    if kind == 3:
        flipped = bytearray(data)
        for k in rng.sample(range(len(data)), min(5, len(data))):
            flipped[k] = rng.randrange(256)
        return bytes(flipped)
    if kind == 4:
        old, new = rng.choice(
            [(b"*", b"|"), (b"|", b"^"), (b"~", b"\n"), (b",", b";"), (b'"', b""), (b"\r", b"")]
        )
        return data.replace(old, new, rng.randrange(1, 50))
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + data[i:]


@pytest.mark.parametrize("source", SOURCES)
def test_mutated_files_never_crash_and_landing_conserves(
    network: Path, source: str, tmp_path: Path
) -> None:
    files = sorted(p for p in (network / source).rglob("*") if p.is_file())
    assert files, f"the simulator wrote no {source} files"
    rng = random.Random(f"fuzz-{source}")
    parser = PARSERS[source]
    con = duckdb.connect()
    ensure_raw_schema(con)
    dead_letters = 0
    for n in range(MUTATIONS_PER_SOURCE):
        original = rng.choice(files)
        relative = original.relative_to(network).as_posix()
        mutated = _mutate(original.read_bytes(), rng)
        items = list(parser.parse(mutated, relative))  # must not raise
        dead_letters += sum(isinstance(item, DeadLetter) for item in items)
        path = tmp_path / f"{n}_{original.name}"
        path.write_bytes(mutated)
        batch = land_file(
            con,
            path,
            source,
            parser.parse,
            parser.PARSER_VERSION,
            source_file=relative.replace(original.name, path.name),
        )
        assert batch.received == len(items)
        assert batch.conserved, batch
    assert dead_letters > 0  # the mutations do damage that the parser reports
