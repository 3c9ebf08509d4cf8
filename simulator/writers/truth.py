"""The simulator's ground truth, from the simulation itself (never re-read from the files):
truth/claims.csv, truth/unbilled_services.csv (claims not submitted by the window end),
truth/appointments.csv, truth/kpis.json, truth/intercompany.csv (835 cash received for another
legal entity's claims), truth/claim_status_inquiries.csv (the 276 / 277 follow-up), and the
scheduling side's truth/master_data_exceptions.csv and truth/provider_credentialing.csv."""

from __future__ import annotations

import json
from decimal import Decimal

from simulator.claims.intercompany import INTERCOMPANY_COLUMNS, intercompany_rows
from simulator.claims.truth_rows import (
    CLAIM_EXTRA_COLUMNS,
    EVENT_COLUMNS,
    STATUS_INQUIRY_COLUMNS,
    accounting_by_claim,
    claim_extra,
    event_rows,
    status_inquiry_rows,
)
from simulator.model import Claim, Simulation
from simulator.network import Network
from simulator.truth import (
    APPOINTMENT_COLUMNS,
    CLAIM_COLUMNS,
    CONTRACTUAL_CARCS,
    compute_claim_kpis,
    compute_kpis,
    merge_kpis,
)
from simulator.truth_scheduling import (
    CREDENTIALING_COLUMNS,
    EXCEPTION_COLUMNS,
    appointment_fields,
    compute_scheduling_kpis,
    credentialing_rows,
    exception_rows,
    template_rows,
)
from simulator.writers.erp_master import to_csv


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _adjudication_fields(claim: Claim) -> dict[str, str]:
    if not claim.adjudications:
        return {"first_adjudication_date": "", "first_adjudication_denied": "",
                "first_payment_date": "", "paid_amount": "", "contractual_amount": "",
                "patient_responsibility_amount": ""}
    first = claim.adjudications[0]
    payments = [a for a in claim.adjudications if a.paid > 0]
    return {
        "first_adjudication_date": first.production_date.isoformat(),
        "first_adjudication_denied": "true" if first.denied else "false",
        "first_payment_date": payments[0].payment_date.isoformat() if payments else "",
        "paid_amount": _money(sum((a.paid for a in claim.adjudications), Decimal("0"))),
        "contractual_amount": _money(sum((a.total("CO", CONTRACTUAL_CARCS)
                                          for a in claim.adjudications), Decimal("0"))),
        "patient_responsibility_amount": _money(sum((a.total("PR") for a in claim.adjudications),
                                                    Decimal("0"))),
    }


def claim_rows(simulation: Simulation) -> list[dict[str, str]]:
    """One row per submitted primary claim, in claim id order."""
    rows = []
    accounting = accounting_by_claim(simulation)
    payer_types = simulation.revenue.payer_types
    for claim in sorted(simulation.claims, key=lambda c: c.claim_id):
        if claim.submission_date is None:
            continue
        rows.append({
            "claim_id": claim.claim_id, "facility_code": claim.facility_code,
            "payer_id": claim.payer_id, "legal_entity_code": claim.legal_entity_code,
            "service_code": claim.service_code,
            "booked_date": claim.appointment.booked_at.date().isoformat(),
            "service_date": claim.service_date.isoformat(),
            "submission_date": claim.submission_date.isoformat(),
            "charge_amount": _money(claim.charge),
            "expected_reimbursement": _money(claim.expected_reimbursement),
            **_adjudication_fields(claim),
            **claim_extra(claim, payer_types, accounting),
        })
    return rows


UNBILLED_COLUMNS = ("claim_id", "facility_code", "payer_id", "service_code", "service_date",
                    "expected_reimbursement")


def unbilled_rows(simulation: Simulation) -> list[dict[str, str]]:
    """Services rendered in the window whose primary claim was not submitted by its end (in
    net A/R as not-yet-billed), in claim id order."""
    return [{"claim_id": c.claim_id, "facility_code": c.facility_code, "payer_id": c.payer_id,
             "service_code": c.service_code, "service_date": c.service_date.isoformat(),
             "expected_reimbursement": _money(c.expected_reimbursement)}
            for c in sorted(simulation.claims, key=lambda c: c.claim_id)
            if c.submission_date is None and c.service_date <= simulation.end]


def appointment_rows(simulation: Simulation) -> list[dict[str, str]]:
    return [{"appointment_id": a.appointment_id, "visit_number": a.visit_number,
             "facility_code": a.facility_code, "booked_at": a.booked_at.isoformat(),
             "service_start": a.slot.start.isoformat(), "final_status": a.final_status,
             **appointment_fields(a)}
            for a in sorted(simulation.appointments, key=lambda a: a.appointment_id)]


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    claims = claim_rows(simulation)
    appointments = appointment_rows(simulation)
    events = event_rows(simulation)
    unbilled = unbilled_rows(simulation)
    kpis = merge_kpis({"window_start": simulation.start.isoformat(),
                       "window_end": simulation.end.isoformat()}, compute_kpis(claims),
                      compute_scheduling_kpis(appointments, template_rows(simulation.templates)),
                      {"claim_kpis": compute_claim_kpis(claims, events, simulation.end,
                                                        unbilled)})
    return {
        "claims.csv": to_csv(CLAIM_COLUMNS + CLAIM_EXTRA_COLUMNS,
                             [tuple(r[c] for c in CLAIM_COLUMNS + CLAIM_EXTRA_COLUMNS)
                              for r in claims]),
        "unbilled_services.csv": to_csv(UNBILLED_COLUMNS,
                                        [tuple(r[c] for c in UNBILLED_COLUMNS)
                                         for r in unbilled]),
        "claim_events.csv": to_csv(EVENT_COLUMNS,
                                   [tuple(r[c] for c in EVENT_COLUMNS) for r in events]),
        "appointments.csv": to_csv(APPOINTMENT_COLUMNS,
                                   [tuple(r[c] for c in APPOINTMENT_COLUMNS)
                                    for r in appointments]),
        "kpis.json": json.dumps(kpis, indent=2, sort_keys=True) + "\n",
        "claim_status_inquiries.csv": to_csv(STATUS_INQUIRY_COLUMNS, [
            tuple(r[c] for c in STATUS_INQUIRY_COLUMNS) for r in status_inquiry_rows(simulation)]),
        "intercompany.csv": to_csv(INTERCOMPANY_COLUMNS, [
            tuple(r[c] for c in INTERCOMPANY_COLUMNS)
            for r in intercompany_rows(network, simulation)]),
        "master_data_exceptions.csv": to_csv(EXCEPTION_COLUMNS, [
            tuple(r[c] for c in EXCEPTION_COLUMNS) for r in exception_rows(network, simulation)]),
        "provider_credentialing.csv": to_csv(CREDENTIALING_COLUMNS, [
            tuple(r[c] for c in CREDENTIALING_COLUMNS) for r in credentialing_rows(network)]),
    }
