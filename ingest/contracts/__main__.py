"""`python -m ingest.contracts [--check]`: write (or check) the current contract schemas."""

from __future__ import annotations

import sys

from ingest.contracts import (
    CONTRACTS_DIR,
    breaking_changes,
    committed,
    current_schemas,
    dumps,
    write_schemas,
)


def check() -> int:
    """0 when every committed current schema equals its dataclass, else 1 (with reasons)."""
    on_disk = {path.name: path.read_text() for path in CONTRACTS_DIR.glob("*.json")}
    old = {f"{kind}.v{version}.json": schema for (kind, version), schema in committed().items()}
    status = 0
    for name, schema in current_schemas().items():
        if on_disk.get(name) == dumps(schema):
            continue
        status = 1
        breaking = breaking_changes(old[name], schema) if name in old else []
        if name not in old:
            print(f"{name}: not committed (run python -m ingest.contracts)")
        elif breaking:
            print(f"{name}: BREAKING ({'; '.join(breaking)}): bump the version, add an upcaster")
        else:
            print(f"{name}: compatible change not written (run python -m ingest.contracts)")
    return status


def main(argv: list[str]) -> int:
    if "--check" in argv:
        return check()
    for path in write_schemas():
        print(f"wrote {path.relative_to(CONTRACTS_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
