"""Finance: collection and A/R KPIs, and what the journal feed sends the ERP per company and
account, intercompany due-to / due-from included (kpi_scorecard, fct_journal_feed)."""

from __future__ import annotations

import streamlit as st

from dashboards import data
from dashboards.filters import facility_scorecard
from dashboards.formatting import days, dollars, percent

st.title("Finance")
facility, row = facility_scorecard()

ar_days, collection, write_offs, underpayment = st.columns(4)
ar_days.metric(
    "Net days in A/R",
    days(row["net_days_in_ar"]),
    help="Net A/R / average daily net patient service revenue (HFMA MAP AR-1).",
)
collection.metric(
    "Net collection rate",
    percent(row["net_collection_rate"]),
    help="Net collections / collectible amount.",
)
write_offs.metric(
    "Denial write-off ratio",
    percent(row["denial_write_off_ratio"]),
    help="Net denial write-offs / net patient service revenue (HFMA AR-6 basis).",
)
underpayment.metric(
    "Underpayment per paid claim",
    dollars(row["underpayment_variance_per_paid_claim"]),
    help="Underpayment (expected reimbursement - paid) / paid claims.",
)

st.subheader("Journal feed by company and account (all facilities)")
st.caption(
    "1010 cash clearing holds payments whose deposit has not come; 1250 / 2050 are what one "
    "company collected for another's claims (due from / due to)."
)
st.dataframe(data.journal_totals(), hide_index=True)
