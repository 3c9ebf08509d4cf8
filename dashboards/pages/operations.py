"""Operations and integration: scheduling outcomes, integration failures, transaction latency
per source and the open reconciliation breaks (kpi_scorecard, DESIGN §4 and §6)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboards.filters import facility_scorecard
from dashboards.formatting import count, percent

LATENCY_COLUMN = re.compile(r"transaction_latency_(?P<source>.+)_messages")

st.title("Operations and integration")
facility, row = facility_scorecard()

no_show, cancellation, occupancy, failure = st.columns(4)
no_show.metric(
    "No-show rate",
    percent(row["no_show_rate"]),
    help="No-shows / (completed + no-shows); a cancelled appointment is neither.",
)
cancellation.metric(
    "Cancellation rate",
    percent(row["cancellation_rate"]),
    help="Cancellations / appointments booked.",
)
occupancy.metric(
    "Schedule occupancy",
    percent(row["schedule_occupancy"]),
    help="Minutes of completed and no-show appointments / available template minutes.",
)
failure.metric(
    "Integration failure rate",
    percent(row["integration_failure_rate"]),
    help="Dead-lettered / received messages (per source and day: kpi_integration_health_daily).",
)

st.subheader("Reconciliation breaks (open)")
breaks = st.columns(4)
for column, (label, field) in zip(
    breaks,
    [
        ("Claims past SLA without remit", "claims_without_adjudication_45d"),
        ("Remits without claim", "remits_without_submission"),
        ("835s without deposit", "remits_without_deposit"),
        ("Deposits without 835", "deposits_without_remit"),
    ],
    strict=True,
):
    column.metric(label, count(row[field]))

st.subheader("Transaction latency by source")
sources = [m["source"] for m in map(LATENCY_COLUMN.fullmatch, row.index) if m]
latency = pd.DataFrame(
    {
        "source": sources,
        "messages": [row[f"transaction_latency_{s}_messages"] for s in sources],
        "p50 minutes": [row[f"transaction_latency_{s}_p50_minutes"] for s in sources],
        "p95 minutes": [row[f"transaction_latency_{s}_p95_minutes"] for s in sources],
    }
)
st.dataframe(latency, hide_index=True)
