"""How the pages show a scorecard value: n/a for a KPI without a denominator (NULL / NaN)."""

from __future__ import annotations

import math


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def days(value: object) -> str:
    return "n/a" if _missing(value) else f"{float(value):.1f} days"


def percent(value: object) -> str:
    return "n/a" if _missing(value) else f"{float(value):.1%}"


def dollars(value: object) -> str:
    return "n/a" if _missing(value) else f"${float(value):,.2f}"


def count(value: object) -> str:
    return "n/a" if _missing(value) else f"{int(value):,}"
