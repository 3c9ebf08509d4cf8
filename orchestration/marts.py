"""Read-only access to the marts for the CLI (the dashboards have their own, cached)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb


def read_scorecard(warehouse: Path, facility: str = "ALL") -> dict[str, object]:
    """One row of marts.kpi_scorecard as a dict (numbers stay numbers)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.kpi_scorecard where facility_code = ?", [facility]
        )
        row = cursor.fetchone()
        if row is None:
            raise LookupError(f"no scorecard row for facility {facility!r}: run `hcops run` first")
        columns = [d[0] for d in cursor.description]
    return {
        name: float(value) if isinstance(value, Decimal) else value
        for name, value in zip(columns, row, strict=True)
    }
