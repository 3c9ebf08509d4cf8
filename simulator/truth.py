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
                       "service_start", "final_status",
                       # scheduling truth (simulator/truth_scheduling.py)
                       "channel", "duration_minutes", "provider_npi", "service_code",
                       "location_code", "rescheduled", "cancel_reason_code",
                       "final_source_status", "events")
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


def merge_kpis(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """One kpis.json from the parts each truth module computes (claims, scheduling, ...):
    nested dicts (by_facility, by_month) merge key by key; a later part never overwrites a
    value an earlier one set."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = merge_kpis(merged[key], value)
            elif key not in merged:
                merged[key] = dict(value) if isinstance(value, Mapping) else value
    return merged


def compute_claim_kpis(claims: Iterable[Row], events: Iterable[Row],
                       end: dt.date, unbilled: Iterable[Row] = ()) -> dict[str, Any]:
    """The claim-side KPIs of DESIGN §4 (simulator/truth_claims.py), for kpis.json
    `claim_kpis`: overall, by_facility, by_month, net_days_in_ar."""
    from simulator.truth_claims import compute_claim_kpis as compute

    return compute(claims, events, end, unbilled)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (SQL percentile_cont / quantile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def integration_kpis(received: Mapping[tuple[str, str], int],
                     dead_lettered: Mapping[tuple[str, str], int],
                     latency_minutes: Mapping[str, list[float]]) -> dict[str, Any]:
    """The integration-side KPIs of DESIGN §4 from the fault layer (simulator/faults.py):

    - `integration_failure_rate`: dead-lettered / received messages (HL7 message, X12
      transaction set, NDJSON line, CSV row, else one per file; duplicates and malformed copies
      included), per source (landing folder) and UTC delivery day (the date of the file's
      modification time read as UTC), with numerators and denominators, overall and per
      source;
    - `transaction_latency`: delivery time - source event time (HL7 MSH-7, X12 GS04/GS05,
      FHIR meta.lastUpdated, CSV last-modified column) in real minutes (both as UTC instants:
      simulator.clock) over the messages that land once (not duplicates, not dead letters;
      unknown-facility phantoms land), p50 / p95 (percentile_cont) per source."""
    def rate(numerator: int, denominator: int) -> dict[str, Any]:
        return {"dead_lettered": numerator, "received": denominator,
                "rate": numerator / denominator if denominator else None}

    sources = sorted({source for source, _ in received})
    by_day: dict[str, dict[str, Any]] = {}
    for source, day in sorted(received):
        by_day.setdefault(source, {})[day] = rate(dead_lettered.get((source, day), 0),
                                                  received[(source, day)])
    by_source = {source: rate(sum(v["dead_lettered"] for v in by_day[source].values()),
                              sum(v["received"] for v in by_day[source].values()))
                 for source in sources}
    return {
        "integration_failure_rate": {
            **rate(sum(v["dead_lettered"] for v in by_source.values()),
                   sum(v["received"] for v in by_source.values())),
            "by_source": by_source,
            "by_source_day": by_day,
        },
        "transaction_latency": {
            "unit": "minutes",
            "by_source": {
                source: {"messages": len(values),
                         "p50_minutes": percentile_cont(values, 0.5),
                         "p95_minutes": percentile_cont(values, 0.95)}
                for source, values in sorted(latency_minutes.items()) if values},
        },
    }
