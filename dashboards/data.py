"""Read-only access to the marts. Connections are short-lived and read-only so the
pipeline can write between page loads (DuckDB allows one writer or many readers)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import streamlit as st

CACHE_SECONDS = 60


class WarehouseUnavailable(RuntimeError):
    """The warehouse is missing or a pipeline run holds its write lock."""


def warehouse_path() -> Path:
    if "HCOPS_WAREHOUSE" in os.environ:
        return Path(os.environ["HCOPS_WAREHOUSE"])
    home = Path(os.environ.get("HCOPS_HOME", Path(__file__).resolve().parents[1] / ".hcops"))
    return home / "warehouse.duckdb"


def _query(sql: str, params: dict[str, object] | None = None) -> pd.DataFrame:
    path = warehouse_path()
    if not path.exists():
        raise WarehouseUnavailable(f"no warehouse at {path}: run `make demo SERVE=0` first")
    engine = sa.create_engine(
        f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=sa.NullPool
    )
    try:
        with engine.connect() as connection:
            return pd.read_sql(sa.text(sql), connection, params=params or {})
    except sa.exc.OperationalError as error:
        raise WarehouseUnavailable(
            "the warehouse is busy (a pipeline run is writing); retry in a moment"
        ) from error
    finally:
        engine.dispose()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def scorecard() -> pd.DataFrame:
    return _query("select * from marts.kpi_scorecard order by facility_code")


# the dimensions the initial-denial mart is re-aggregated by (numerators and denominators)
_DENIAL_GROUPS = {"week": "date_trunc('week', kpi_date)", "payer_name": "payer_name"}


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def initial_denials(facility: str, by: str) -> pd.DataFrame:
    """Adjudicated and denied first adjudications per `by` (week or payer_name)."""
    return _query(
        f"""select {_DENIAL_GROUPS[by]} as {by}
                , sum(adjudicated_claims) as adjudicated_claims
                , sum(denied_claims) as denied_claims
           from marts.kpi_initial_denial_daily
           where :facility = 'ALL' or facility_code = :facility
           group by 1 order by 1""",
        {"facility": facility},
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def journal_totals() -> pd.DataFrame:
    """What the journal feed sends the ERP, per company and account (debit, credit, net)."""
    return _query(
        """select legal_entity_code as company, account_code as account
                , sum(debit) as debit, sum(credit) as credit, sum(debit) - sum(credit) as net
           from marts.fct_journal_feed
           group by legal_entity_code, account_code
           order by legal_entity_code, account_code"""
    )
