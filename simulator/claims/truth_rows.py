"""Truth rows of the claims lifecycle, from the simulation itself (never re-read from the
files): extra columns of truth/claims.csv and the rows of truth/claim_events.csv and
truth/claim_status_inquiries.csv.

An event's facility_code is the facility it belongs to. A remit for a claim never submitted
(an orphan CLP) belongs to the facility the files can show (decision 0027): the visit its CLP01
names, else the one facility its payee billed 837s for (the service facilities of the claims
sent under the payee's NPI); else none (empty), as a payee that bills for several facilities
(the parent's shared TIN) cannot say which one was paid for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from simulator.claims.backoffice import trace_number
from simulator.claims.remarks import remarks
from simulator.model import Claim, Simulation

ZERO = Decimal("0")
CLAIM_EXTRA_COLUMNS = (
    "claim_form", "first_transmission_date", "transmission_count", "resubmission_count",
    "first_acknowledgement_category", "first_pass_accepted", "rejection_count", "voided",
    "final_frequency_code", "payer_claim_number", "first_denial_carc", "appeal_deadline_date",
    "appeal_filed_date", "appeal_outcome", "denial_resolution", "denial_resolution_date",
    "denial_write_off_date", "denial_write_off_amount", "reversal_count",
    "last_adjudication_date", "underpayment_amount", "secondary_payer_id",
    "secondary_submission_date", "secondary_paid_amount", "patient_paid_amount",
    "patient_refund_amount", "patient_write_off_amount", "billing_entity_code",
)
EVENT_COLUMNS = ("event_id", "event_type", "event_date", "claim_id", "payer_id",
                 "payer_responsibility", "facility_code", "frequency_code", "status", "reason",
                 "amount", "reference", "detail", "remark_codes")
STATUS_INQUIRY_COLUMNS = (
    "inquiry_date", "trace_number", "claim_id", "payer_id", "payer_responsibility",
    "billing_entity_code", "payer_claim_number", "service_date", "charge_amount",
    "submission_date", "response_date", "category_code", "status_code", "status_date",
    "paid_amount", "adjudication_date", "payment_date", "remittance_trace",
)
APPEAL_WINDOWS = {"medicare": 120, "medicaid": 90}  # else 180 (ClaimsParams.appeal_windows)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def submission_index(claim: Claim) -> int | None:
    """Index of the first 999-accepted transmission (the submission)."""
    return next((n for n, t in enumerate(claim.transmissions) if t.batch.accepted), None)


def claim_extra(claim: Claim, payer_types: dict[str, str],
                accounting: dict[str, list]) -> dict[str, str]:
    index = submission_index(claim)
    transmissions = claim.transmissions
    submission = transmissions[index] if index is not None else None
    later = transmissions[index + 1:] if index is not None else []
    ack = submission.ack if submission else None
    accepted = [t for t in transmissions if t.ack and t.ack.accepted]
    entries = accounting.get(claim.claim_id, [])
    denial = next((a for a in claim.adjudications if a.status_code == "4"), None)
    deadline = ""
    resolution, resolved_on = "", ""
    write_off = next((e for e in entries if e.kind == "write_off" and e.subtype == "denial"),
                     None)
    appeals = [e for e in entries if e.kind == "appeal"]
    if denial is not None:
        payer_type = payer_types[claim.payer_id]
        deadline = _day(denial.production_date + dt.timedelta(
            days=APPEAL_WINDOWS.get(payer_type, 180)))
        paid_later = next((a for a in claim.adjudications
                           if a.production_date >= denial.production_date and a.paid > 0
                           and a.status_code in ("1", "19")), None)
        if paid_later is not None:
            resolution, resolved_on = "paid", _day(paid_later.production_date)
        elif write_off is not None:
            resolution, resolved_on = "write_off", _day(write_off.date)
    adjudicated = [a for a in claim.adjudications if a.status_code in ("1", "4", "19", "22")]
    paid = sum((a.paid for a in claim.adjudications), ZERO)
    responsibility = sum((a.patient_responsibility for a in claim.adjudications), ZERO)
    paid_claim = any(a.paid > 0 for a in claim.adjudications)
    secondary = claim.secondary
    patient = [e for e in entries if e.kind in ("patient_payment", "refund", "write_off")]
    return {
        "claim_form": f"837{claim.claim_form}",
        "first_transmission_date": _day(transmissions[0].batch.day) if transmissions else "",
        "transmission_count": str(len(transmissions)),
        "resubmission_count": str(len(later)),
        "first_acknowledgement_category": ack.category if ack else "",
        "first_pass_accepted": "true" if ack and ack.accepted and not later else "false",
        "rejection_count": str(sum(1 for t in transmissions if t.ack and not t.ack.accepted)),
        "voided": "true" if claim.voided else "false",
        "final_frequency_code": accepted[-1].frequency_code if accepted else "",
        "payer_claim_number": claim.payer_claim_number or "",
        "first_denial_carc": denial.adjustments[0].reason if denial else "",
        "appeal_deadline_date": deadline,
        "appeal_filed_date": _day(appeals[0].date) if appeals else "",
        "appeal_outcome": appeals[-1].subtype if len(appeals) > 1 else (
            "pending" if appeals else ""),
        "denial_resolution": resolution,
        "denial_resolution_date": resolved_on,
        "denial_write_off_date": _day(write_off.date) if write_off else "",
        "denial_write_off_amount": _money(write_off.amount) if write_off else "",
        "reversal_count": str(sum(1 for a in claim.adjudications if a.status_code == "22")),
        "last_adjudication_date": _day(adjudicated[-1].production_date) if adjudicated else "",
        "underpayment_amount": _money(claim.expected_reimbursement - paid - responsibility)
        if paid_claim else "",
        "secondary_payer_id": secondary.payer_id if secondary else "",
        "secondary_submission_date": _day(secondary.submission_date) if secondary else "",
        "secondary_paid_amount": _money(sum((a.paid for a in secondary.adjudications), ZERO))
        if secondary else "",
        "patient_paid_amount": _money(sum((e.amount for e in patient
                                           if e.kind == "patient_payment"), ZERO)),
        "patient_refund_amount": _money(sum((e.amount for e in patient if e.kind == "refund"),
                                            ZERO)),
        "patient_write_off_amount": _money(sum((e.amount for e in patient
                                                if e.kind == "write_off"), ZERO)),
        "billing_entity_code": claim.payee_entity_code,
    }


def accounting_by_claim(simulation: Simulation) -> dict[str, list]:
    found: dict[str, list] = {}
    for entry in simulation.revenue.accounting:
        if entry.claim.responsibility == "P":
            found.setdefault(entry.claim.claim_id, []).append(entry)
    return found


def _transmission_events(claim: Claim, facility: str) -> list[dict[str, str]]:
    rows = []
    index = submission_index(claim)
    for n, t in enumerate(claim.transmissions):
        base = {"claim_id": claim.claim_id, "payer_id": claim.payer_id,
                "payer_responsibility": claim.responsibility, "facility_code": facility,
                "frequency_code": t.frequency_code}
        role = ("rejected_batch" if index is None or n < index
                else "original" if n == index else "resubmission")
        if not t.batch.accepted:
            role = "rejected_batch" if index is None or n < index else "resubmission"
        rows.append({**base, "event_type": "submission", "event_date": _day(t.batch.day),
                     "status": "accepted" if t.batch.accepted else "rejected",
                     "amount": _money(t.claim.charge), "reference": t.batch.name,
                     "reason": t.original_reference or "", "detail": role})
        rows.append({**base, "event_type": "ack_999", "event_date": _day(t.batch.day),
                     "status": "A" if t.batch.accepted else "R", "reference": t.batch.name})
        if t.ack is not None:
            rows.append({**base, "event_type": "ack_277ca", "event_date": _day(t.ack.date),
                         "status": t.ack.category, "reason": t.ack.status,
                         "reference": t.ack.payer_claim_number or "",
                         "detail": t.ack.level})
    return rows


def _adjudication_events(claim: Claim, facility: str,
                         payer_types: Mapping[str, str]) -> list[dict[str, str]]:
    """Adjudication / reversal (with the remark codes of its CLP: MOA then LQ*HE, comma
    separated as the 835 carries them) and payment events of a claim."""
    rows = []
    for a in claim.adjudications:
        base = {"claim_id": claim.claim_id, "payer_id": claim.payer_id,
                "payer_responsibility": claim.responsibility, "facility_code": facility,
                "frequency_code": a.frequency_code or claim.frequency_code,
                "reference": trace_number(claim.payer_id, claim.payee_entity_code,
                                          a.production_date)}
        denial = next((x.reason for x in a.adjustments if x.group != "PR"
                       and x.reason not in ("45", "23")), "") if a.status_code == "4" else ""
        rows.append({**base, "event_type": "reversal" if a.status_code == "22"
                     else "adjudication", "event_date": _day(a.production_date),
                     "status": a.status_code, "reason": denial, "amount": _money(a.paid),
                     "detail": a.kind, "remark_codes": ",".join(
                         remarks(claim, a, payer_types[claim.payer_id]).all())})
        if a.paid:
            rows.append({**base, "event_type": "payment", "event_date": _day(a.payment_date),
                         "status": a.status_code, "amount": _money(a.paid), "detail": a.kind})
    return rows


def billed_facilities(claims: Iterable[Claim]) -> dict[str, set[str]]:
    """Payee (billing) entity -> the facilities of the claims its 837s carried."""
    found: dict[str, set[str]] = {}
    for claim in claims:
        if claim.transmissions:
            found.setdefault(claim.payee_entity_code, set()).add(claim.facility_code)
    return found


def remit_facility(claim_id: str, payee_entity_code: str, visits: Mapping[str, str],
                   billed: Mapping[str, set[str]]) -> str:
    """The facility a remit without submission is attributed to (decision 0027): the visit's
    when CLP01 is a visit number, else the payee's only billed facility, else ''."""
    if claim_id in visits:
        return visits[claim_id]
    facilities = billed.get(payee_entity_code, set())
    return next(iter(facilities)) if len(facilities) == 1 else ""


def event_rows(simulation: Simulation) -> list[dict[str, str]]:
    revenue = simulation.revenue
    rows: list[dict[str, str]] = []
    submitted = [*simulation.claims, *revenue.secondary_claims]
    for claim in submitted:
        rows += _transmission_events(claim, claim.facility_code)
        rows += _adjudication_events(claim, claim.facility_code, revenue.payer_types)
    visits = {a.visit_number: a.facility_code for a in simulation.appointments}
    billed = billed_facilities(submitted)
    for claim in revenue.orphan_claims:
        rows += _transmission_events(claim, claim.facility_code)  # none: never submitted
        rows += _adjudication_events(claim, remit_facility(
            claim.claim_id, claim.payee_entity_code, visits, billed), revenue.payer_types)
    for entry in revenue.accounting:
        claim = entry.claim
        rows.append({"event_type": entry.kind, "event_date": _day(entry.date),
                     "claim_id": claim.claim_id, "payer_id": claim.payer_id,
                     "payer_responsibility": claim.responsibility,
                     "facility_code": claim.facility_code, "status": entry.subtype,
                     "reason": entry.reason, "amount": _money(entry.amount),
                     "detail": _day(entry.deadline)})
    deposited = {(d.trace, d.amount) for d in revenue.deposits}
    for tx in revenue.remittances:
        for plb in tx.plb:
            rows.append({"event_type": "plb", "event_date": _day(tx.production_date),
                         "claim_id": plb.claim_id, "payer_id": tx.payer_id, "status": plb.reason,
                         "reason": plb.reference, "amount": _money(plb.amount),
                         "reference": tx.trace})
        if not tx.eft:
            status = "no_payment"
        elif (tx.trace, tx.amount) in deposited:
            status = "deposited"
        elif tx.payment_date > simulation.end:
            status = "in_transit"
        else:
            status = "missing_deposit"
        rows.append({"event_type": "remittance", "event_date": _day(tx.production_date),
                     "payer_id": tx.payer_id, "status": status, "amount": _money(tx.amount),
                     "reference": tx.trace, "detail": _day(tx.payment_date),
                     "reason": tx.entity_code})
    for deposit in revenue.deposits:
        rows.append({"event_type": "deposit", "event_date": _day(deposit.date),
                     "payer_id": deposit.payer_id,
                     "status": "matched" if deposit.matched else "unmatched",
                     "amount": _money(deposit.amount), "reference": deposit.trace,
                     "reason": deposit.entity_code})
    order = {name: n for n, name in enumerate(
        ("submission", "ack_999", "ack_277ca", "reversal", "adjudication", "payment", "plb",
         "remittance", "deposit", "appeal", "write_off", "patient_payment", "refund"))}
    rows.sort(key=lambda r: (r["event_date"], r.get("claim_id", ""),
                             r.get("payer_responsibility", ""), order[r["event_type"]]))
    return [{"event_id": str(n), **{c: r.get(c, "") for c in EVENT_COLUMNS[1:]}}
            for n, r in enumerate(rows, start=1)]


def status_inquiry_rows(simulation: Simulation) -> list[dict[str, str]]:
    """One row per claim per 276 (by inquiry day, payer, billing entity, claim), with the
    payer's 277 answer as simulated (empty when it comes after the window)."""
    rows = []
    for inquiry in simulation.revenue.status_inquiries:
        claim, adjudication = inquiry.claim, inquiry.adjudication
        paid = inquiry.remittance_trace != ""
        rows.append({
            "inquiry_date": _day(inquiry.inquiry_date), "trace_number": inquiry.trace,
            "claim_id": claim.claim_id, "payer_id": claim.payer_id,
            "payer_responsibility": claim.responsibility,
            "billing_entity_code": claim.payee_entity_code,
            "payer_claim_number": inquiry.payer_claim_number,
            "service_date": _day(claim.service_date), "charge_amount": _money(claim.charge),
            "submission_date": _day(claim.submission_date),
            "response_date": _day(inquiry.response_date), "category_code": inquiry.category,
            "status_code": inquiry.status, "status_date": _day(inquiry.status_date),
            "paid_amount": _money(adjudication.paid) if adjudication else "",
            "adjudication_date": _day(adjudication.production_date) if adjudication else "",
            "payment_date": _day(adjudication.payment_date) if adjudication and paid else "",
            "remittance_trace": inquiry.remittance_trace,
        })
    return rows
