"""Executive scorecard: claim cycle time, initial denial rate, scheduling-to-revenue lag."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards import data
from dashboards.formatting import days, percent
from dashboards.widgets import Kpi, facility_scorecard, kpi_tiles

st.title("Revenue cycle scorecard")
facility, row = facility_scorecard()

kpi_tiles(row, [
    Kpi("Claim cycle time (median)", "claim_cycle_time_median_days", days,
        "Days from first accepted submission to first adjudication (DESIGN §4)."),
    Kpi("Initial denial rate", "initial_denial_rate", percent,
        lambda r: f"{int(r['initial_denial_numerator'])} of "
        f"{int(r['initial_denial_denominator'])} first adjudications denied."),
    Kpi("Scheduling-to-revenue lag (median)", "scheduling_to_revenue_lag_median_days", days,
        "Days from booking to first payment, over paid claims."),
])  # fmt: skip

st.subheader("Initial denials by week")
weekly = data.initial_denials(facility, by="week")
weekly["denial_rate"] = weekly["denied_claims"] / weekly["adjudicated_claims"]
st.altair_chart(
    alt.Chart(weekly)
    .mark_line(point=True)
    .encode(
        x=alt.X("week:T", title="Week of first adjudication"),
        y=alt.Y("denial_rate:Q", title="Initial denial rate", axis=alt.Axis(format="%")),
        tooltip=["week:T", "adjudicated_claims:Q", "denied_claims:Q"],
    )
)

st.subheader("By payer")
by_payer = data.initial_denials(facility, by="payer_name")
by_payer["denial_rate"] = by_payer["denied_claims"] / by_payer["adjudicated_claims"]
st.dataframe(
    by_payer,
    hide_index=True,
    column_config={
        "denial_rate": st.column_config.NumberColumn("Denial rate", format="percent"),
    },
)
