"""Read-only access to the marts for the CLI (the dashboards have their own, cached).

`read_scorecard` reads one row of marts.kpi_scorecard (the whole window). `reaggregate_scorecard`
computes the same columns over a date window, as the registry in the dbt YAML says: each
kpi_scorecard column's `reaggregate` meta (dbt_project/models/marts/kpis/_kpis.yml) names the
mart column it sums by kpi_date, the claim-level fact it takes a percentile of, the balance it
reads at the period end, or the two columns it divides (decision 0022); `where` filters the
mart's rows, `divide_by` scales a percentile, and `network: true` marks a mart without a
facility (integration health, bank breaks): its value exists on the 'ALL' row only. The KPI
definitions stay in dbt; this module only sums, divides and takes percentiles.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.settings import DBT_PROJECT_DIR

KPI_PROPERTIES = DBT_PROJECT_DIR / "models" / "marts" / "kpis" / "_kpis.yml"
SCORECARD = "kpi_scorecard"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def read_scorecard(warehouse: Path, facility: str = "ALL") -> dict[str, object]:
    """One row of marts.kpi_scorecard as a dict (numbers stay numbers)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return fetch_scorecard(con, facility)


def fetch_scorecard(con: duckdb.DuckDBPyConnection, facility: str = "ALL") -> dict[str, object]:
    cursor = con.execute("select * from marts.kpi_scorecard where facility_code = ?", [facility])
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no scorecard row for facility {facility!r}: run `hcops run` first")
    columns = [d[0] for d in cursor.description]
    return {name: _plain(value) for name, value in zip(columns, row, strict=True)}


@dataclass(frozen=True)
class Window:
    """Flows dated from `start` to `end` (inclusive; None = unbounded); balances at `end`
    (at most the as-of date of the marts)."""

    start: dt.date | None = None
    end: dt.date | None = None


def scorecard_registry(properties: Path = KPI_PROPERTIES) -> dict[str, dict[str, Any]]:
    """{scorecard column: its `reaggregate` spec}, in the scorecard's column order."""
    return dict(_registry(properties))


@cache
def _registry(properties: Path) -> tuple[tuple[str, dict[str, Any]], ...]:
    models = yaml.safe_load(properties.read_text(encoding="utf-8"))["models"]
    scorecard = next(m for m in models if m["name"] == SCORECARD)
    return tuple(
        (column["name"], column["config"]["meta"]["reaggregate"])
        for column in scorecard["columns"]
        if "reaggregate" in column.get("config", {}).get("meta", {})
    )


def reaggregate_scorecard(
    warehouse: Path, facility: str = "ALL", window: Window = Window()
) -> dict[str, object]:
    """The kpi_scorecard columns of one facility (or ALL) over `window`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return fetch_reaggregated(con, facility, window)


def fetch_reaggregated(
    con: duckdb.DuckDBPyConnection, facility: str = "ALL", window: Window = Window()
) -> dict[str, object]:
    rows = con.execute("select facility_code from marts.kpi_scorecard").fetchall()
    if facility not in {code for (code,) in rows}:
        raise LookupError(f"no scorecard row for facility {facility!r}: run `hcops run` first")
    (as_of,) = con.execute("select as_of_date from marts.kpi_as_of_date").fetchone()
    period_end = min(window.end, as_of) if window.end else as_of
    values = _Reader(con, facility, window, period_end).evaluate(scorecard_registry())
    return {"facility_code": facility, **{name: _plain(v) for name, v in values.items()}}


class _Reader:
    """Evaluates registry specs against the marts for one facility and window."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        facility: str,
        window: Window,
        period_end: dt.date,
    ) -> None:
        self.con, self.window, self.period_end = con, window, period_end
        self.is_network = facility == "ALL"
        if facility == "ALL":
            self.facility_sql, self.facility_args = "true", []
        elif facility == "UNMAPPED":
            self.facility_sql, self.facility_args = "facility_code is null", []
        else:
            self.facility_sql, self.facility_args = "facility_code = ?", [facility]

    def evaluate(self, registry: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in registry.items():
            if "ratio" not in spec:
                values[name] = self._value(name, spec)
        for name, spec in registry.items():
            if "ratio" in spec:
                values[name] = self._ratio(spec["ratio"], values, registry)
        return {name: values[name] for name in registry}

    def _value(self, name: str, spec: Mapping[str, Any]) -> Any:
        if spec.get("period_end"):
            return self.period_end
        if spec.get("network") and not self.is_network:
            return None  # a mart without a facility: no value on a facility's row
        if "sum" in spec:
            return self._aggregate(spec["sum"], "sum", spec, dated=True)
        if "at_period_end" in spec:
            return self._aggregate(
                spec["at_period_end"], spec.get("aggregate", "sum"), spec, dated=False
            )
        if "percentile" in spec:
            return self._percentile(spec)
        raise ValueError(f"{SCORECARD}.{name}: unknown reaggregate spec {dict(spec)}")

    def _ratio(
        self, pair: list[str], values: dict[str, Any], registry: Mapping[str, Mapping[str, Any]]
    ) -> float | None:
        numerator, denominator = (
            values[column]
            if column in values
            else self._ratio(registry[column]["ratio"], values, registry)
            for column in pair
        )
        if numerator is None or not denominator:
            return None
        return float(numerator) / float(denominator)

    def _aggregate(self, target: str, function: str, spec: Mapping[str, Any], dated: bool) -> Any:
        model, column = _split(target)
        if function not in ("sum", "max"):
            raise ValueError(f"{target}: aggregate must be sum or max, not {function!r}")
        conditions, args = self._filters(spec)
        if dated:
            conditions, args = self._within("kpi_date", conditions, args)
        else:
            conditions.append("kpi_date = ?")
            args.append(self.period_end)
        total = f"{function}({column})"
        if function == "sum":
            total = f"coalesce({total}, 0)"
        sql = f"select {total} from marts.{model} where {' and '.join(conditions)}"
        return self.con.execute(sql, args).fetchone()[0]

    def _percentile(self, spec: Mapping[str, Any]) -> float | None:
        model, column = _split(spec["percentile"])
        dated_by = _identifier(spec["dated_by"])
        conditions, args = self._filters(spec)
        conditions, args = self._within(dated_by, [*conditions, f"{dated_by} is not null"], args)
        fraction = float(spec["fraction"])
        value = column
        if "divide_by" in spec:  # as the scorecard: the double value divided, then ranked
            value = f"cast({column} as double) / {float(spec['divide_by'])!r}"
        sql = (
            f"select {_percentile_cont_sql(value, fraction)} from marts.{model} "
            f"where {' and '.join(conditions)}"
        )
        return self.con.execute(sql, args).fetchone()[0]

    def _filters(self, spec: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
        """The facility (none for a network mart) and the spec's `where` equalities."""
        conditions: list[str] = ["true"]
        args: list[Any] = []
        if not spec.get("network"):
            conditions, args = [self.facility_sql], [*self.facility_args]
        for filter_column, value in spec.get("where", {}).items():
            conditions.append(f"{_identifier(filter_column)} = ?")
            args.append(value)
        return conditions, args

    def _within(
        self, date_column: str, conditions: list[str], args: list[Any]
    ) -> tuple[list[str], list[Any]]:
        if self.window.start is not None:
            conditions = [*conditions, f"{date_column} >= ?"]
            args = [*args, self.window.start]
        if self.window.end is not None:
            conditions = [*conditions, f"{date_column} <= ?"]
            args = [*args, self.window.end]
        return conditions, args


def _split(target: str) -> tuple[str, str]:
    model, _, column = target.partition(".")
    return _identifier(model), _identifier(column)


def _identifier(name: str) -> str:
    """A mart or column name from the registry, checked before it goes into SQL."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier in the KPI registry: {name!r}")
    return name


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _percentile_cont_sql(value: str, fraction: float) -> str:
    """PostgreSQL's percentile_cont interpolation on DuckDB, as the dbt macro
    `duckdb__percentile_cont` computes it (macros/cross_db.sql): lo + (hi - lo) * d in double
    precision over the sorted non-null values, so a re-aggregated percentile equals the
    scorecard's to the last bit."""
    ordered = f"list_sort(list(cast({value} as double)) filter (where ({value}) is not null))"
    position = f"(cast({float(fraction)!r} as double) * (count({value}) - 1))"
    low = f"{ordered}[cast(floor({position}) as bigint) + 1]"
    high = f"{ordered}[cast(ceil({position}) as bigint) + 1]"
    return f"({low} + ({high} - {low}) * ({position} - floor({position})))"
