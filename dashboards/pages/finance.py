"""Finance: collection and A/R KPIs, and what the journal feed sends the ERP per company and
account, intercompany due-to / due-from included (kpi_scorecard, fct_journal_feed)."""

from __future__ import annotations

import streamlit as st

from dashboards import data
from dashboards.formatting import days, dollars, percent
from dashboards.widgets import Kpi, facility_scorecard, kpi_tiles

st.title("Finance")
facility, row = facility_scorecard()

kpi_tiles(row, [
    Kpi("Net days in A/R", "net_days_in_ar", days,
        "Net A/R / average daily net patient service revenue (HFMA MAP AR-1)."),
    Kpi("Net collection rate", "net_collection_rate", percent,
        "Net collections / collectible amount."),
    Kpi("Denial write-off ratio", "denial_write_off_ratio", percent,
        "Net denial write-offs / net patient service revenue (HFMA AR-6 basis)."),
    Kpi("Underpayment per paid claim", "underpayment_variance_per_paid_claim", dollars,
        "Underpayment (expected reimbursement - paid) / paid claims."),
])  # fmt: skip

st.subheader("Journal feed by company and account (all facilities)")
st.caption(
    "1010 cash clearing holds payments whose deposit has not come; 1250 / 2050 are what one "
    "company collected for another's claims (due from / due to)."
)
st.dataframe(data.journal_totals(), hide_index=True)
