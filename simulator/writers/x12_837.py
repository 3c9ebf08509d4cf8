"""837P (005010X222A1) daily batches: one interchange per submission day and billing legal
entity, one transaction per payer, one subscriber HL (patient = subscriber) per claim."""

from __future__ import annotations

import datetime as dt

from simulator.lifecycle import by_payer, submission_batches
from simulator.model import Claim, Simulation
from simulator.network import LegalEntity, Network
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction

VERSION = "005010X222A1"
BATCH_TIME = dt.time(23, 0)


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
        segment("SBR", "P", "18", "", "", "", "", "", "", payer.filing_indicator),
        segment("NM1", "IL", "1", patient.family, patient.given, "", "", "", "MI",
                patient.member_id),
        segment("N3", street),
        segment("N4", city, state, zip9),
        segment("DMG", "D8", d8(patient.birth_date), patient.sex),
        segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id),
    ]


def _claim(claim: Claim, network: Network) -> list[str]:
    provider = next(p for p in network.providers if p.npi == claim.appointment.provider_npi)
    facility = network.facility(claim.facility_code)
    street, city, state, zip9 = facility.address
    segments = [
        segment("CLM", claim.claim_id, amount(claim.charge), "", "",
                composite("11", "B", claim.frequency_code), "Y", "A", "Y", "Y"),
        segment("HI", composite("ABK", claim.diagnosis)),
        segment("NM1", "82", "1", provider.family, provider.given, "", "", "", "XX", provider.npi),
        segment("PRV", "PE", "PXC", provider.taxonomy),
        segment("NM1", "77", "2", facility.name, "", "", "", "", "XX", facility.npi),
        segment("N3", street),
        segment("N4", city, state, zip9),
    ]
    for line in claim.lines:
        segments += [
            segment("LX", line.number),
            segment("SV1", composite("HC", line.procedure_code), amount(line.charge), "UN",
                    line.units, "", "", "1"),
            segment("DTP", "472", "D8", d8(claim.service_date)),
            segment("REF", "6R", line.control_number),
        ]
    return segments


def _transaction(entity: LegalEntity, network: Network, day: dt.date, claims: list[Claim],
                 control: int) -> list[str]:
    body = _header(entity, network, day)
    for hl, claim in enumerate(claims, start=2):
        body += _subscriber(claim, network, hl) + _claim(claim, network)
    return transaction("837", control, VERSION, body)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content, one interchange per (submission day, legal entity)."""
    files = {}
    for control, (day, entity_code, claims) in enumerate(
            submission_batches(simulation.claims), start=1):
        entity = network.legal_entity(entity_code)
        envelope = Envelope(entity.submitter_id, network.clearinghouse_id, "HC", VERSION,
                            dt.datetime.combine(day, BATCH_TIME), control)
        transactions = [_transaction(entity, network, day, payer_claims, n)
                        for n, (_, payer_claims) in enumerate(by_payer(claims), start=1)]
        files[f"837P_{entity_code}_{d8(day)}.x12"] = interchange(envelope, transactions)
    return files
