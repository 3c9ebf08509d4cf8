"""The facility filter every page starts with: the scorecard row of the chosen facility."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import data


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
