"""hcops dashboards: `streamlit run dashboards/app.py` (or `hcops dashboard`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="hcops", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "executive.py", title="Executive scorecard", default=True),
        st.Page(PAGES / "finance.py", title="Finance"),
        st.Page(PAGES / "operations.py", title="Operations and integration"),
    ]
)
navigation.run()
