"""Claim-side KPIs of DESIGN §4 from the truth rows (`truth/claims.csv`: primary claims;
`truth/claim_events.csv`: lifecycle events; all values strings, as read back with
`csv.DictReader`): overall, by facility and by month (the month of each KPI's dating event),
each with its numerator and denominator (medians with their count).

- claim cycle time: submission_date -> first_adjudication_date; median and p90
  (percentile_cont), dated by the first adjudication;
- initial denial rate: first adjudications denied / claims with a first adjudication (count and
  charge dollars), dated by the first adjudication; HFMA variant: the same numerator / claims
  submitted (dated by submission), by month over the trailing three months;
- first-pass acceptance: claims whose submission got A2 and never another 837 / claims
  submitted, dated by submission;
- denial resolution: first denied adjudication -> denial_resolution_date (a later payment or a
  denial write-off), median, dated by resolution; open denials at the window end by age
  (days since the denial) and by appeal deadline;
- denial write-offs: denial write-off amounts (expected reimbursement) dated by write-off /
  net patient service revenue: the expected reimbursement of the services dated by service,
  billed (claims.csv) or not billed by the window end (unbilled_services.csv), the same revenue
  as net days in A/R (DESIGN §4; HFMA AR-6), with its billed and unbilled parts;
- scheduling-to-revenue lag: booked -> service -> submission -> first payment, median days
  per hop and in total, for paid claims, dated by first payment;
- net collection rate: payer (primary + secondary) and patient payments net of refunds /
  (charges - contractual adjustments), over claims whose last adjudication is in the period;
- underpayment variance: expected reimbursement - (paid + patient responsibility), summed over
  paid claims (denominator: paid claims), dated by first payment;
- reconciliation breaks: remits whose claim matches no accepted submission; claims without an
  adjudication 45 days after submission (not voided; dated by submission + 45 days); EFT
  835s paid in the window without a deposit (TRN02 + amount); deposits without an 835.
  The bank breaks have no facility (an 835 covers a legal entity); a remit without submission
  counts for the facility of its events (the facility its 835 can be attributed to, decision
  0027: simulator/claims/truth_rows.py), in no facility when the payee bills for several;
- net days in A/R (HFMA), `net_days_in_ar`: net A/R at the period end / average daily net
  patient service revenue of the 90 days ending on it. Net A/R = expected reimbursement of the
  services rendered up to the period end (billed or not: claims.csv plus the services not
  billed by the window end, truth/unbilled_services.csv) - payer payments (primary and
  secondary `payment` events, dated by BPR16; reversals negative) - patient payments + refunds
  - write-offs (denial, bad debt, charity, small balance), each up to the period end. NPSR of
  a service = its expected reimbursement, dated by the service date; the average is over 90
  days even when the window is shorter. PLB adjustments (interest, recoupments) and remits of
  claims never submitted are left out. At each month end inside the window and at the window
  end (`by_month`, keyed by the month of the period end), overall and by facility (at the
  window end).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

Row = Mapping[str, str]
OPEN_DENIAL_AGES = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, 10**6, "91+"))


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _days(earlier: str, later: str) -> int:
    return (_date(later) - _date(earlier)).days


def _money(value: str) -> Decimal:
    return Decimal(value) if value else Decimal("0")


def percentile_cont(values: list[int], fraction: float) -> float | None:
    """SQL percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _ratio(numerator: float | Decimal, denominator: float | Decimal) -> dict[str, Any]:
    num, den = float(numerator), float(denominator)
    return {"value": num / den if den else None, "numerator": round(num, 2),
            "denominator": round(den, 2)}


def _distribution(values: list[int]) -> dict[str, Any]:
    return {"median": float(statistics.median(values)) if values else None,
            "p90": percentile_cont(values, 0.9), "count": len(values)}


def _month(value: str) -> str:
    return value[:7]


def _claim_kpis(claims: list[Row], end: dt.date) -> dict[str, Any]:
    adjudicated = [r for r in claims if r["first_adjudication_date"]]
    denied = [r for r in adjudicated if r["first_adjudication_denied"] == "true"]
    paid = [r for r in claims if r["first_payment_date"]]
    resolved = [r for r in claims if r.get("denial_resolution_date")]
    open_denials = [r for r in denied if not r.get("denial_resolution_date")]
    ages: dict[str, int] = {label: 0 for _, _, label in OPEN_DENIAL_AGES}
    for row in open_denials:
        age = (end - _date(row["first_adjudication_date"])).days
        ages[next(label for low, high, label in OPEN_DENIAL_AGES if low <= age <= high)] += 1
    finals = [r for r in claims if r.get("last_adjudication_date")]
    collected = sum((_money(r["paid_amount"]) + _money(r.get("secondary_paid_amount", ""))
                     + _money(r.get("patient_paid_amount", ""))
                     - _money(r.get("patient_refund_amount", "")) for r in finals),
                    Decimal("0"))
    collectible = sum((_money(r["charge_amount"]) - _money(r["contractual_amount"])
                       for r in finals), Decimal("0"))
    variance = [_money(r.get("underpayment_amount", "")) for r in paid]
    unadjudicated = [r for r in claims if r.get("voided") != "true"
                     and not r["first_adjudication_date"]
                     and _date(r["submission_date"]) + dt.timedelta(days=45) <= end]
    return {
        "claim_cycle_time_days": _distribution(
            [_days(r["submission_date"], r["first_adjudication_date"]) for r in adjudicated]),
        "initial_denial_rate": _ratio(len(denied), len(adjudicated)),
        "initial_denial_rate_dollars": _ratio(
            sum((_money(r["charge_amount"]) for r in denied), Decimal("0")),
            sum((_money(r["charge_amount"]) for r in adjudicated), Decimal("0"))),
        "first_pass_acceptance_rate": _ratio(
            sum(r.get("first_pass_accepted") == "true" for r in claims), len(claims)),
        "denial_resolution_days": _distribution(
            [_days(r["first_adjudication_date"], r["denial_resolution_date"])
             for r in resolved]),
        "open_denials_by_age": ages,
        "open_denials_past_appeal_deadline": sum(
            1 for r in open_denials
            if r.get("appeal_deadline_date") and _date(r["appeal_deadline_date"]) < end),
        "net_collection_rate": _ratio(collected, collectible),
        "underpayment_variance": {
            **_ratio(sum(variance, Decimal("0")), len(paid)),
            "underpaid_claims": sum(1 for v in variance if v > Decimal("0.005"))},
        "scheduling_to_revenue_lag_days": {
            "booked_to_service": _distribution(
                [_days(r["booked_date"], r["service_date"]) for r in paid]),
            "service_to_submission": _distribution(
                [_days(r["service_date"], r["submission_date"]) for r in paid]),
            "submission_to_first_payment": _distribution(
                [_days(r["submission_date"], r["first_payment_date"]) for r in paid]),
            "total": _distribution([_days(r["booked_date"], r["first_payment_date"])
                                    for r in paid]),
        },
        "claims_without_adjudication_45d": len(unadjudicated),
    }


def _dated(claims: list[Row], month: str, end: dt.date) -> dict[str, Any]:
    """The claim KPIs of one month, each over the claims whose dating event is in it."""
    def pick(column: str) -> list[Row]:
        return [r for r in claims if r.get(column, "")[:7] == month]

    by_adjudication = _claim_kpis(pick("first_adjudication_date"), end)
    by_submission = _claim_kpis(pick("submission_date"), end)
    by_payment = _claim_kpis(pick("first_payment_date"), end)
    by_final = _claim_kpis(pick("last_adjudication_date"), end)
    resolved = [r for r in claims if r.get("denial_resolution_date", "")[:7] == month]
    return {
        "claim_cycle_time_days": by_adjudication["claim_cycle_time_days"],
        "initial_denial_rate": by_adjudication["initial_denial_rate"],
        "initial_denial_rate_dollars": by_adjudication["initial_denial_rate_dollars"],
        "first_pass_acceptance_rate": by_submission["first_pass_acceptance_rate"],
        "denial_resolution_days": _distribution(
            [_days(r["first_adjudication_date"], r["denial_resolution_date"])
             for r in resolved]),
        "net_collection_rate": by_final["net_collection_rate"],
        "underpayment_variance": by_payment["underpayment_variance"],
        "scheduling_to_revenue_lag_days": by_payment["scheduling_to_revenue_lag_days"],
    }


def _write_offs(claims: list[Row], unbilled: list[Row], month: str | None) -> dict[str, Any]:
    def within(value: str) -> bool:
        return bool(value) and (month is None or value[:7] == month)

    def revenue(rows: list[Row]) -> Decimal:
        return sum((_money(r["expected_reimbursement"]) for r in rows
                    if within(r["service_date"])), Decimal("0"))

    billed, not_billed = revenue(claims), revenue(unbilled)
    written_off = sum((_money(r["denial_write_off_amount"]) for r in claims
                       if within(r.get("denial_write_off_date", ""))), Decimal("0"))
    return {**_ratio(written_off, billed + not_billed),
            "denominator_billed": round(float(billed), 2),
            "denominator_unbilled": round(float(not_billed), 2)}


def _hfma(claims: list[Row], months: list[str] | None) -> dict[str, Any]:
    """Initial denials (dated by first adjudication) / claims submitted, over `months`."""
    def within(value: str) -> bool:
        return bool(value) and (months is None or value[:7] in months)

    return _ratio(sum(1 for r in claims if r["first_adjudication_denied"] == "true"
                      and within(r["first_adjudication_date"])),
                  sum(1 for r in claims if within(r["submission_date"])))


def _breaks(claims: list[Row], events: list[Row], end: dt.date,
            month: str | None) -> dict[str, int]:
    def within(value: str) -> bool:
        return month is None or value[:7] == month

    relevant = [e for e in events if e["event_type"] in (
        "submission", "adjudication", "reversal", "remittance", "deposit")]
    submitted = {(e["claim_id"], e["payer_id"]) for e in relevant
                 if e["event_type"] == "submission" and e["status"] == "accepted"}
    remits = {(e["claim_id"], e["payer_id"]): e["event_date"] for e in relevant
              if e["event_type"] in ("adjudication", "reversal")}
    remittances = [e for e in relevant if e["event_type"] == "remittance"
                   and _money(e["amount"]) > 0 and _date(e["detail"]) <= end]
    deposits = [e for e in relevant if e["event_type"] == "deposit"]
    deposit_keys = {(e["reference"], _money(e["amount"])) for e in deposits}
    remit_keys = {(e["reference"], _money(e["amount"])) for e in remittances}
    return {
        "remits_without_submission": sum(1 for key, day in remits.items()
                                         if key not in submitted and within(day)),
        "claims_without_adjudication_45d": sum(
            1 for r in claims if r.get("voided") != "true" and not r["first_adjudication_date"]
            and _date(r["submission_date"]) + dt.timedelta(days=45) <= end
            and within((_date(r["submission_date"]) + dt.timedelta(days=45)).isoformat())),
        "remits_without_deposit": sum(
            1 for e in remittances if (e["reference"], _money(e["amount"])) not in deposit_keys
            and within(e["detail"])),
        "deposits_without_remit": sum(
            1 for e in deposits if (e["reference"], _money(e["amount"])) not in remit_keys
            and within(e["event_date"])),
    }


def compute_claim_kpis(claims: Iterable[Row], events: Iterable[Row], end: dt.date,
                       unbilled: Iterable[Row] = ()) -> dict[str, Any]:
    """{"overall", "by_facility", "by_month"} of the claim-side KPIs, and `net_days_in_ar`
    (its own overall / by_facility / by_month; `unbilled`: services not billed by `end`)."""
    claims, events, unbilled = list(claims), list(events), list(unbilled)
    months = sorted({r[c][:7] for r in claims for c in (
        "submission_date", "first_adjudication_date", "first_payment_date",
        "denial_resolution_date", "denial_write_off_date", "service_date",
        "last_adjudication_date") if r.get(c)} | {e["event_date"][:7] for e in events})
    facilities = sorted({r["facility_code"] for r in claims})

    def overall(rows: list[Row], with_bank: bool) -> dict[str, Any]:
        values = _claim_kpis(rows, end)
        values["initial_denial_rate_hfma"] = _hfma(rows, None)
        codes = {r["facility_code"] for r in rows}
        values["denial_write_off_ratio"] = _write_offs(
            rows, [r for r in unbilled if with_bank or r["facility_code"] in codes], None)
        values["reconciliation_breaks"] = _breaks(
            rows, events if with_bank else [e for e in events if e["event_type"] in (
                "submission", "adjudication", "reversal") and e["facility_code"] in codes],
            end, None)
        if not with_bank:
            for key in ("remits_without_deposit", "deposits_without_remit"):
                values["reconciliation_breaks"].pop(key)
        return values

    def monthly(month: str) -> dict[str, Any]:
        index = months.index(month)
        window = months[max(0, index - 2): index + 1]
        return {**_dated(claims, month, end),
                "initial_denial_rate_hfma_3m": _hfma(claims, window),
                "denial_write_off_ratio": _write_offs(claims, unbilled, month),
                "reconciliation_breaks": _breaks(claims, events, end, month)}

    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in claims:
        grouped[row["facility_code"]].append(row)
    return {"overall": overall(claims, True),
            "by_facility": {code: overall(grouped[code], False) for code in facilities},
            "by_month": {month: monthly(month) for month in months},
            "net_days_in_ar": net_days_in_ar(claims, events, end, unbilled)}




AR_EVENTS = {"payment": -1, "patient_payment": -1, "refund": 1, "write_off": -1}
NPSR_DAYS = 90


def _month_ends(first: dt.date, end: dt.date) -> list[dt.date]:
    """The month ends from `first`'s month on that are before `end`, then `end`."""
    found, day = [], first
    while True:
        following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        month_end = following - dt.timedelta(days=1)
        if month_end >= end:
            return [*found, end]
        found.append(month_end)
        day = following


def _net_days(services: list[tuple[str, dt.date, Decimal]],
              movements: list[tuple[str, dt.date, Decimal]], period_end: dt.date,
              facility: str | None) -> dict[str, Any]:
    start = period_end - dt.timedelta(days=NPSR_DAYS - 1)
    rendered = npsr = Decimal("0")
    for code, day, amount in services:
        if day <= period_end and facility in (None, code):
            rendered += amount
            if day >= start:
                npsr += amount
    moved = sum((amount for code, day, amount in movements
                 if day <= period_end and facility in (None, code)), Decimal("0"))
    return {**_ratio(rendered + moved, npsr / NPSR_DAYS), "period_end": period_end.isoformat()}


def net_days_in_ar(claims: Iterable[Row], events: Iterable[Row], end: dt.date,
                   unbilled: Iterable[Row] = ()) -> dict[str, Any]:
    """{"overall", "by_facility", "by_month"} of net days in A/R (see the module docstring):
    value (days), numerator (net A/R), denominator (average daily NPSR), period_end."""
    services = [(r["facility_code"], _date(r["service_date"]),
                 _money(r["expected_reimbursement"])) for r in [*claims, *unbilled]]
    services = [s for s in services if s[1] <= end]
    ids = {r["claim_id"] for r in claims}
    movements = [(e["facility_code"], _date(e["event_date"]),
                  AR_EVENTS[e["event_type"]] * _money(e["amount"])) for e in events
                 if e["event_type"] in AR_EVENTS and e["claim_id"] in ids]
    facilities = sorted({code for code, _, _ in services})
    if not services:
        return {"overall": None, "by_facility": {}, "by_month": {}}
    return {
        "overall": _net_days(services, movements, end, None),
        "by_facility": {code: _net_days(services, movements, end, code)
                        for code in facilities},
        "by_month": {f"{day:%Y-%m}": _net_days(services, movements, day, None)
                     for day in _month_ends(min(s[1] for s in services), end)},
    }
