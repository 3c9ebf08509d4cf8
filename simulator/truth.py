"""KPIs from the simulator's truth (DESIGN §4), computed from `truth/claims.csv` rows (all
values strings, as read back with `csv.DictReader`), overall and by facility.

- claim cycle time: days from submission_date to first_adjudication_date, median over claims
  with a first adjudication (percentile_cont 0.5: the mean of the two middle values);
- initial denial rate: first adjudications denied / claims with a first adjudication;
- scheduling-to-revenue lag: days from booked_date to first_payment_date, median over paid
  claims (first 835 with CLP04 > 0).
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Row = Mapping[str, str]

CLAIM_COLUMNS = (
    "claim_id", "facility_code", "payer_id", "legal_entity_code", "service_code", "booked_date",
    "service_date", "submission_date", "charge_amount", "expected_reimbursement",
    "first_adjudication_date", "first_adjudication_denied", "first_payment_date",
    "paid_amount", "contractual_amount", "patient_responsibility_amount",
)
APPOINTMENT_COLUMNS = ("appointment_id", "visit_number", "facility_code", "booked_at",
                       "service_start", "final_status")
# CARC seed of the contractual category (DESIGN §4)
CONTRACTUAL_CARCS = frozenset({"23", "45", "94", "131", "253"})


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def days_between(earlier: str, later: str) -> int:
    return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def kpi_values(rows: Iterable[Row]) -> dict[str, Any]:
    rows = list(rows)
    adjudicated = [r for r in rows if r["first_adjudication_date"]]
    denied = [r for r in adjudicated if r["first_adjudication_denied"] == "true"]
    paid = [r for r in rows if r["first_payment_date"]]
    return {
        "claims": len(rows),
        "claim_cycle_time_median_days": median(
            [days_between(r["submission_date"], r["first_adjudication_date"])
             for r in adjudicated]),
        "initial_denial_rate": len(denied) / len(adjudicated) if adjudicated else None,
        "initial_denial_rate_numerator": len(denied),
        "initial_denial_rate_denominator": len(adjudicated),
        "scheduling_to_revenue_lag_median_days": median(
            [days_between(r["booked_date"], r["first_payment_date"]) for r in paid]),
        "paid_claims": len(paid),
    }


def compute_kpis(rows: Iterable[Row]) -> dict[str, Any]:
    """Overall values at the top level, the same per facility under `by_facility`."""
    rows = list(rows)
    facilities = sorted({r["facility_code"] for r in rows})
    return {
        **kpi_values(rows),
        "by_facility": {code: kpi_values(r for r in rows if r["facility_code"] == code)
                        for code in facilities},
    }
