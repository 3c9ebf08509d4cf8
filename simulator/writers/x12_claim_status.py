"""Claim status inquiries (276) and the payers' responses (277), 005010X212, into the x12_277
landing folder: per payer and follow-up day one 276 from the clearinghouse to the payer
(`276_<payer>_<day>.x12`) and its 277 a day or two later (`277_<payer>_<answer day>_re<day>
.x12`); one transaction per billing entity, HL 20 payer (information source) / 21 billing
entity (information receiver) / 19 billing provider / 22 subscriber with one claim (patient =
subscriber, as in the 837s). The claim's trace (TRN02) is the inquirer's; the patient
control number (REF*EJ) is CLM01."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from simulator.claims.records import StatusInquiry
from simulator.model import Claim, Simulation
from simulator.network import LegalEntity, Network, Payer
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction

VERSION = "005010X212"
INQUIRY_TIME = dt.time(7, 0)  # the billing office's morning follow-up worklist
RESPONSE_TIME = dt.time(5, 45)  # the payer's overnight response batch
HOSPITAL_OUTPATIENT_BILL = "13"  # facility type of an 837I (CLM05-1): REF*BLT = 13 + frequency

Group = tuple[str, dt.date, list[StatusInquiry]]


def groups(simulation: Simulation) -> list[Group]:
    """(payer id, inquiry day, its inquiries) of every 276, by day and payer."""
    found: dict[tuple[dt.date, str], list[StatusInquiry]] = defaultdict(list)
    for inquiry in simulation.revenue.status_inquiries:
        found[(inquiry.inquiry_date, inquiry.claim.payer_id)].append(inquiry)
    return [(payer_id, day, items) for (day, payer_id), items in sorted(found.items())]


def file_names(payer_id: str, day: dt.date, response: dt.date) -> tuple[str, str]:
    """(276 name, 277 name) of one payer's inquiry of `day` answered on `response`."""
    return f"276_{payer_id}_{d8(day)}.x12", f"277_{payer_id}_{d8(response)}_re{d8(day)}.x12"


def _by_entity(items: list[StatusInquiry]) -> list[tuple[str, list[StatusInquiry]]]:
    found: dict[str, list[StatusInquiry]] = defaultdict(list)
    for inquiry in items:
        found[inquiry.claim.payee_entity_code].append(inquiry)
    return sorted(found.items())


def _parties(payer: Payer, entity: LegalEntity) -> list[str]:
    """HL 20 payer, HL 21 the billing entity asking, HL 19 its billing provider."""
    return [
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "41", "2", entity.name, "", "", "", "", "46", entity.submitter_id),
        segment("HL", "3", "2", "19", "1"),
        segment("NM1", "1P", "2", entity.name, "", "", "", "", "XX", entity.group_npi),
    ]


def _subscriber(claim: Claim) -> list[str]:
    patient = claim.appointment.patient
    return [segment("NM1", "IL", "1", patient.family, patient.given, "", "", "", "MI",
                    claim.member_id or patient.member_id)]


def _bill_type(inquiry: StatusInquiry) -> list[str]:
    if inquiry.claim.claim_form != "I":
        return []
    return [segment("REF", "BLT", HOSPITAL_OUTPATIENT_BILL + inquiry.frequency_code)]


def _inquiry_claim(inquiry: StatusInquiry, hl: int) -> list[str]:
    """Loops 2000D / 2100D / 2200D of the 276."""
    claim = inquiry.claim
    patient = claim.appointment.patient
    return [
        segment("HL", hl, "3", "22", "0"),
        segment("DMG", "D8", d8(patient.birth_date), patient.sex),
        *_subscriber(claim),
        segment("TRN", "1", inquiry.trace),
        *_bill_type(inquiry),
        segment("REF", "1K", inquiry.payer_claim_number),
        segment("REF", "EJ", claim.claim_id),
        segment("AMT", "T3", amount(claim.charge)),
        segment("DTP", "472", "D8", d8(claim.service_date)),
    ]


def _status(inquiry: StatusInquiry) -> str:
    """The claim's STC: status, its date, charge; a finalized claim adds the payment, the
    adjudication date and, when paid, the EFT date and the 835 trace."""
    assert inquiry.status_date is not None
    stc: list[object] = ["STC", composite(inquiry.category, inquiry.status),
                         d8(inquiry.status_date), "", amount(inquiry.claim.charge)]
    adjudication = inquiry.adjudication
    if adjudication is not None:
        stc += [amount(adjudication.paid), d8(adjudication.production_date)]
        if inquiry.remittance_trace:
            stc += ["", d8(adjudication.payment_date), inquiry.remittance_trace]
    return segment(*stc)


def _response_claim(inquiry: StatusInquiry, hl: int) -> list[str]:
    """Loops 2000D / 2100D / 2200D of the 277."""
    claim = inquiry.claim
    return [
        segment("HL", hl, "3", "22", "0"),
        *_subscriber(claim),
        segment("TRN", "2", inquiry.trace),
        _status(inquiry),
        segment("REF", "1K", inquiry.payer_claim_number),
        *_bill_type(inquiry),
        segment("REF", "EJ", claim.claim_id),
        segment("DTP", "472", "D8", d8(claim.service_date)),
    ]


def _interchange(network: Network, payer: Payer, items: list[StatusInquiry], day: dt.date,
                 control: int, response: bool) -> str:
    if response:
        envelope = Envelope(payer.payer_id, network.clearinghouse_id, "HN", VERSION,
                            dt.datetime.combine(day, RESPONSE_TIME), control)
    else:
        envelope = Envelope(network.clearinghouse_id, payer.payer_id, "HR", VERSION,
                            dt.datetime.combine(day, INQUIRY_TIME), control)
    time = envelope.created
    transactions = []
    for n, (entity_code, inquiries) in enumerate(_by_entity(items), start=1):
        entity = network.legal_entity(entity_code)
        reference = f"{payer.payer_id}{d8(inquiries[0].inquiry_date)}{entity_code}"
        header = (segment("BHT", "0010", "08", reference, d8(day), f"{time:%H%M}", "DG")
                  if response else
                  segment("BHT", "0010", "13", reference, d8(day), f"{time:%H%M}"))
        body = [header, *_parties(payer, entity)]
        for hl, inquiry in enumerate(inquiries, start=4):
            body += _response_claim(inquiry, hl) if response else _inquiry_claim(inquiry, hl)
        transactions.append(transaction("277" if response else "276", n, VERSION, body))
    return interchange(envelope, transactions)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: every 276 of the window and every 277 answered in it."""
    files = {}
    responses = 0
    for control, (payer_id, day, items) in enumerate(groups(simulation), start=1):
        payer = network.payer(payer_id)
        response = items[0].response_date
        inquiry_name, response_name = file_names(payer_id, day, response or day)
        files[inquiry_name] = _interchange(network, payer, items, day, control, False)
        if response is not None:
            responses += 1
            files[response_name] = _interchange(network, payer, items, response, responses,
                                                True)
    return files
