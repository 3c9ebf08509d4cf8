"""Operations and integration: scheduling outcomes, integration failures, transaction latency
per source and the open reconciliation breaks (kpi_scorecard, DESIGN §4 and §6)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboards.formatting import count, percent
from dashboards.widgets import Kpi, facility_scorecard, kpi_tiles

LATENCY_COLUMN = re.compile(r"transaction_latency_(?P<source>.+)_messages")

st.title("Operations and integration")
facility, row = facility_scorecard()

kpi_tiles(row, [
    Kpi("No-show rate", "no_show_rate", percent,
        "No-shows / (completed + no-shows); a cancelled appointment is neither."),
    Kpi("Cancellation rate", "cancellation_rate", percent,
        "Cancellations / appointments booked."),
    Kpi("Schedule occupancy", "schedule_occupancy", percent,
        "Minutes of completed and no-show appointments / available template minutes."),
    Kpi("Integration failure rate", "integration_failure_rate", percent,
        "Dead-lettered / received messages (per source and day: kpi_integration_health_daily)."),
])  # fmt: skip

st.subheader("Reconciliation breaks (open)")
kpi_tiles(row, [
    Kpi("Claims past SLA without remit", "claims_without_adjudication_45d", count),
    Kpi("Remits without claim", "remits_without_submission", count),
    Kpi("835s without deposit", "remits_without_deposit", count),
    Kpi("Deposits without 835", "deposits_without_remit", count),
])  # fmt: skip

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
