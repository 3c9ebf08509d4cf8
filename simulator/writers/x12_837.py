"""837 daily batches: one interchange per submission day, billing legal entity and claim form
(837P 005010X222A1, or 837I 005010X223A2 for institutional facilities, SV2 with revenue
codes), one transaction per payer, one subscriber HL (patient = subscriber) per claim.
Resubmissions ride in the batch of their day; a secondary claim (SBR01 S) reuses CLM01 and
carries the primary payer's adjudication (loops 2320 / 2330 / 2430)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from simulator.claims.records import Batch, Transmission
from simulator.lifecycle import by_payer
from simulator.model import Adjudication, Adjustment, Claim, Simulation
from simulator.network import LegalEntity, Network
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction

VERSION = "005010X222A1"
VERSION_I = "005010X223A2"
BATCH_TIME = dt.time(23, 0)
# NUBC revenue code of each service on an institutional claim
REVENUE_CODES = {"99203": "0510", "99213": "0510", "99214": "0510", "99284": "0456",
                 "93000": "0730", "71046": "0324", "80053": "0301", "36415": "0300"}


def batch_reference(entity_code: str, day: dt.date) -> str:
    """BHT03 of the batch (echoed in the 277CA loop 2200B TRN02)."""
    return f"{entity_code}{d8(day)}"


def _header(entity: LegalEntity, network: Network, day: dt.date) -> list[str]:
    street, city, state, zip9 = entity.address
    return [
        segment("BHT", "0019", "00", batch_reference(entity.code, day), d8(day), "2300", "CH"),
        segment("NM1", "41", "2", entity.name, "", "", "", "", "46", entity.submitter_id),
        segment("PER", "IC", "BILLING OFFICE", "TE", "8005550100"),
        segment("NM1", "40", "2", "HCOPS CLEARINGHOUSE", "", "", "", "", "46",
                network.clearinghouse_id),
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "85", "2", entity.name, "", "", "", "", "XX", entity.group_npi),
        segment("N3", street),
        segment("N4", city, state, zip9),
        segment("REF", "EI", entity.tax_id),
    ]


def _subscriber(claim: Claim, network: Network, hl: int) -> list[str]:
    patient = claim.appointment.patient
    payer = network.payer(claim.payer_id)
    street, city, state, zip9 = patient.address
    return [
        segment("HL", hl, "1", "22", "0"),
        segment("SBR", claim.responsibility, "18", "", "", "", "", "", "",
                payer.filing_indicator),
        segment("NM1", "IL", "1", patient.family, patient.given, "", "", "", "MI",
                claim.member_id or patient.member_id),
        segment("N3", street),
        segment("N4", city, state, zip9),
        segment("DMG", "D8", d8(patient.birth_date), patient.sex),
        segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id),
    ]


def _cas(adjustments: list[Adjustment]) -> list[str]:
    groups: dict[str, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        groups[adjustment.group].append(adjustment)
    return [segment("CAS", group, *(v for a in items for v in (a.reason, amount(a.amount), "")))
            .rstrip("*") for group, items in groups.items()]


def _prior_payer(claim: Claim, network: Network) -> tuple[list[str], Adjudication | None]:
    """Loops 2320 / 2330A / 2330B of a secondary claim (the primary payer's adjudication)."""
    if claim.primary is None:
        return [], None
    primary = claim.primary
    adjudication = next(a for a in primary.adjudications if a.status_code == "1")
    payer = network.payer(primary.payer_id)
    patient = claim.appointment.patient
    oi = ("OI", "", "", "Y", "", "", "Y") if claim.claim_form == "I" else (
        "OI", "", "", "Y", "P", "", "Y")
    return [
        segment("SBR", "P", "18", "", "", "", "", "", "", payer.filing_indicator),
        *_cas([a for a in adjudication.adjustments if a.line_number is None]),
        segment("AMT", "D", amount(adjudication.paid)),
        segment("AMT", "EAF", amount(adjudication.patient_responsibility)),
        segment(*oi),
        segment("NM1", "IL", "1", patient.family, patient.given, "", "", "", "MI",
                patient.member_id),
        segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id),
    ], adjudication


def _claim(t: Transmission, network: Network) -> list[str]:
    claim = t.claim
    institutional = claim.claim_form == "I"
    provider = next(p for p in network.providers if p.npi == claim.appointment.provider_npi)
    facility = network.facility(claim.facility_code)
    street, city, state, zip9 = facility.address
    frequency = t.frequency_code
    if institutional:
        segments = [
            segment("CLM", claim.claim_id, amount(claim.charge), "", "",
                    composite("13", "A", frequency), "", "A", "Y", "Y"),
            segment("DTP", "434", "RD8", f"{d8(claim.service_date)}-{d8(claim.service_date)}"),
            segment("CL1", "3", "", "01"),
        ]
    else:
        segments = [segment("CLM", claim.claim_id, amount(claim.charge), "", "",
                            composite("11", "B", frequency), "Y", "A", "Y", "Y")]
    if t.original_reference:
        segments.append(segment("REF", "F8", t.original_reference))
    segments.append(segment("HI", composite("ABK", claim.diagnosis)))
    if institutional:
        segments += [segment("NM1", "71", "1", provider.family, provider.given, "", "", "",
                             "XX", provider.npi),
                     segment("PRV", "AT", "PXC", provider.taxonomy)]
    else:
        segments += [segment("NM1", "82", "1", provider.family, provider.given, "", "", "",
                             "XX", provider.npi),
                     segment("PRV", "PE", "PXC", provider.taxonomy)]
    segments += [
        segment("NM1", "77", "2", facility.name, "", "", "", "", "XX", facility.npi),
        segment("N3", street),
        segment("N4", city, state, zip9),
    ]
    prior, adjudication = _prior_payer(claim, network)
    segments += prior
    for index, line in enumerate(claim.lines):
        segments.append(segment("LX", line.number))
        if institutional:
            segments.append(segment("SV2", REVENUE_CODES.get(line.procedure_code, "0510"),
                                    composite("HC", line.procedure_code), amount(line.charge),
                                    "UN", line.units))
        else:
            segments.append(segment("SV1", composite("HC", line.procedure_code),
                                    amount(line.charge), "UN", line.units, "", "", "1"))
        segments += [segment("DTP", "472", "D8", d8(claim.service_date)),
                     segment("REF", "6R", line.control_number)]
        if adjudication is not None and adjudication.line_paid:
            assert claim.primary is not None
            svd = (("SVD", claim.primary.payer_id, amount(adjudication.line_paid[index]),
                    composite("HC", line.procedure_code),
                    REVENUE_CODES.get(line.procedure_code, "0510"), line.units)
                   if institutional else
                   ("SVD", claim.primary.payer_id, amount(adjudication.line_paid[index]),
                    composite("HC", line.procedure_code), "", line.units))
            segments += [segment(*svd),
                         *_cas([a for a in adjudication.adjustments
                                if a.line_number == line.number]),
                         segment("DTP", "573", "D8", d8(adjudication.payment_date))]
    return segments


def _transaction(entity: LegalEntity, network: Network, batch: Batch,
                 transmissions: list[Transmission], control: int) -> list[str]:
    body = _header(entity, network, batch.day)
    for hl, t in enumerate(transmissions, start=2):
        body += _subscriber(t.claim, network, hl) + _claim(t, network)
    return transaction("837", control, batch.version, body)


def batches(simulation: Simulation) -> list[Batch]:
    """The 837 batches in file order, with their ISA13 control numbers."""
    found = sorted(simulation.revenue.batches, key=lambda b: (b.day, b.entity_code, b.form))
    for control, batch in enumerate(found, start=1):
        batch.control = control
    return found


def transactions_of(batch: Batch) -> list[tuple[str, list[Transmission]]]:
    """(payer id, transmissions) of each ST of the batch, in ST02 order."""
    return by_payer(batch.transmissions)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content, one interchange per (submission day, legal entity, form)."""
    files = {}
    for batch in batches(simulation):
        entity = network.legal_entity(batch.entity_code)
        envelope = Envelope(entity.submitter_id, network.clearinghouse_id, "HC", batch.version,
                            dt.datetime.combine(batch.day, BATCH_TIME), batch.control)
        transactions = [_transaction(entity, network, batch, items, n)
                        for n, (_, items) in enumerate(transactions_of(batch), start=1)]
        files[f"{batch.name}.x12"] = interchange(envelope, transactions)
    return files
