"""What every page is made of: the facility filter (the scorecard row of the chosen facility)
and a row of KPI tiles read from that row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboards import data


@dataclass(frozen=True)
class Kpi:
    """A tile: its label, the scorecard column it shows, how, and a help text (or a function of
    the row that writes one)."""

    label: str
    column: str
    show: Callable[[object], str]
    help: str | Callable[[pd.Series], str] | None = None


def facility_scorecard() -> tuple[str, pd.Series]:
    """(facility code, its kpi_scorecard row); stops the page when the warehouse is not ready."""
    try:
        scorecard = data.scorecard()
    except data.WarehouseUnavailable as problem:
        st.warning(str(problem))
        st.stop()
    facilities = scorecard["facility_code"].tolist()
    facility = st.selectbox(
        "Facility", facilities, index=facilities.index("ALL") if "ALL" in facilities else 0
    )
    return facility, scorecard.set_index("facility_code").loc[facility]


def kpi_tiles(row: pd.Series, kpis: Sequence[Kpi]) -> None:
    """One row of tiles, one per KPI, side by side."""
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        help_text = kpi.help(row) if callable(kpi.help) else kpi.help
        column.metric(kpi.label, kpi.show(row[kpi.column]), help=help_text)
