"""277CA (005010X214) claim acknowledgements: one interchange per 837 batch, one transaction
per payer (information source), HL 20 payer / 21 submitter / 19 billing provider / PT claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from simulator.lifecycle import by_payer, submission_batches
from simulator.model import Claim, Simulation
from simulator.network import LegalEntity, Network, Payer
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction
from simulator.writers.x12_837 import batch_reference

VERSION = "005010X214"
REPORT_TIME = dt.time(6, 30)


def _totals(claims: list[Claim], accepted: bool) -> tuple[int, Decimal]:
    chosen = [c for c in claims if (c.category_code == "A2") == accepted]
    return len(chosen), sum((c.charge for c in chosen), Decimal("0"))


def _quantities(claims: list[Claim], accepted_qty: str, rejected_qty: str) -> list[str]:
    """QTY / AMT totals of accepted and rejected claims (only the non-empty ones)."""
    totals = {accepted: _totals(claims, accepted) for accepted in (True, False)}
    pairs = ((True, accepted_qty, "YU"), (False, rejected_qty, "YY"))
    return ([segment("QTY", qty, totals[acc][0]) for acc, qty, _ in pairs if totals[acc][0]]
            + [segment("AMT", amt, amount(totals[acc][1])) for acc, _, amt in pairs
               if totals[acc][0]])


def _levels(payer: Payer, entity: LegalEntity, submitted: dt.date, report: dt.date,
            claims: list[Claim]) -> list[str]:
    total = amount(sum((c.charge for c in claims), Decimal("0")))
    trace = f"{payer.payer_id}{d8(report)}{entity.code}"
    return [
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id),
        segment("TRN", "1", trace),
        segment("DTP", "050", "D8", d8(submitted)),
        segment("DTP", "009", "D8", d8(report)),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "41", "2", entity.name, "", "", "", "", "46", entity.submitter_id),
        segment("TRN", "2", batch_reference(entity.code, submitted)),
        segment("STC", composite("A1", "19", "PR"), d8(report), "WQ", total),
        *_quantities(claims, "90", "AA"),
        segment("HL", "3", "2", "19", "1"),
        segment("NM1", "85", "2", entity.name, "", "", "", "", "XX", entity.group_npi),
        segment("TRN", "1", f"{trace}P"),
        segment("STC", composite("A1", "19", "PR"), "", "WQ", total),  # STC02 not used here
        *_quantities(claims, "QA", "QC"),
    ]


def _claim(claim: Claim, hl: int, report: dt.date) -> list[str]:
    patient = claim.appointment.patient
    status = composite(claim.category_code, "20" if claim.category_code == "A2" else "21", "PR")
    return [
        segment("HL", hl, "3", "PT"),
        segment("NM1", "QC", "1", patient.family, patient.given, "", "", "", "MI",
                patient.member_id),
        segment("TRN", "2", claim.claim_id),
        segment("STC", status, d8(report), "WQ", amount(claim.charge)),
        segment("REF", "1K", claim.payer_claim_number),
        segment("DTP", "472", "D8", d8(claim.service_date)),
    ]


def _transaction(payer: Payer, entity: LegalEntity, submitted: dt.date, report: dt.date,
                 claims: list[Claim], control: int) -> list[str]:
    body = [segment("BHT", "0085", "08", f"{entity.code}{d8(submitted)}{control:02d}",
                    d8(report), "0630", "TH")]
    body += _levels(payer, entity, submitted, report, claims)
    for hl, claim in enumerate(claims, start=4):
        body += _claim(claim, hl, report)
    return transaction("277", control, VERSION, body)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: the acknowledgement of each 837 batch received in the window."""
    files = {}
    control = 0
    for submitted, entity_code, claims in submission_batches(simulation.claims):
        acknowledged = [c for c in claims if c.acknowledgement_date is not None]
        if not acknowledged:
            continue
        report = acknowledged[0].acknowledgement_date
        assert report is not None
        entity = network.legal_entity(entity_code)
        control += 1
        envelope = Envelope(network.clearinghouse_id, entity.submitter_id, "HN", VERSION,
                            dt.datetime.combine(report, REPORT_TIME), control)
        transactions = [
            _transaction(network.payer(payer_id), entity, submitted, report, payer_claims, n)
            for n, (payer_id, payer_claims) in enumerate(by_payer(acknowledged), start=1)]
        files[f"277CA_{entity_code}_{d8(submitted)}.x12"] = interchange(envelope, transactions)
    return files
