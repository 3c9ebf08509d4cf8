"""277CA (005010X214) claim acknowledgements: one interchange per 999-accepted 837 batch, one
transaction per payer (information source), HL 20 payer / 21 submitter (2200B) / 19 billing
provider (2200C) / PT claim (2200D). A rejection at 2200B or 2200C rejects every claim below
it (those claims carry A1 = received at their own level)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from simulator.claims.records import Ack277, Batch, Transmission
from simulator.model import Simulation
from simulator.network import LegalEntity, Network, Payer
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction
from simulator.writers.x12_837 import batch_reference, batches, transactions_of

VERSION = "005010X214"
REPORT_TIME = dt.time(6, 30)
RECEIVED = ("A1", "19", "PR")


def _ack(t: Transmission) -> Ack277:
    assert t.ack is not None
    return t.ack


def _totals(items: list[Transmission], accepted: bool) -> tuple[int, Decimal]:
    chosen = [t for t in items if _ack(t).accepted == accepted]
    return len(chosen), sum((t.claim.charge for t in chosen), Decimal("0"))


def _quantities(items: list[Transmission], accepted_qty: str, rejected_qty: str) -> list[str]:
    """QTY / AMT totals of accepted and rejected claims (only the non-empty ones)."""
    totals = {accepted: _totals(items, accepted) for accepted in (True, False)}
    pairs = ((True, accepted_qty, "YU"), (False, rejected_qty, "YY"))
    return ([segment("QTY", qty, totals[acc][0]) for acc, qty, _ in pairs if totals[acc][0]]
            + [segment("AMT", amt, amount(totals[acc][1])) for acc, _, amt in pairs
               if totals[acc][0]])


def _status(level: str, items: list[Transmission]) -> tuple[str, str, str]:
    levels = {_ack(t).level for t in items}
    if level in levels:
        ack = _ack(items[0])
        return ack.category, ack.status, ack.entity
    return RECEIVED


def _levels(payer: Payer, entity: LegalEntity, submitted: dt.date, report: dt.date,
            items: list[Transmission]) -> list[str]:
    total = amount(sum((t.claim.charge for t in items), Decimal("0")))
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
        segment("STC", composite(*_status("2200B", items)), d8(report), "WQ", total),
        *_quantities(items, "90", "AA"),
        segment("HL", "3", "2", "19", "1"),
        segment("NM1", "85", "2", entity.name, "", "", "", "", "XX", entity.group_npi),
        segment("TRN", "1", f"{trace}P"),
        segment("STC", composite(*_status("2200C", items)), "", "WQ", total),
        *_quantities(items, "QA", "QC"),
    ]


def _claim(t: Transmission, hl: int, report: dt.date) -> list[str]:
    claim, ack = t.claim, _ack(t)
    patient = claim.appointment.patient
    status = (ack.category, ack.status, ack.entity) if ack.level in ("", "claim") else RECEIVED
    segments = [
        segment("HL", hl, "3", "PT"),
        segment("NM1", "QC", "1", patient.family, patient.given, "", "", "", "MI",
                claim.member_id or patient.member_id),
        segment("TRN", "2", claim.claim_id),
        segment("STC", composite(*status), d8(report), "WQ", amount(claim.charge)),
    ]
    if ack.payer_claim_number:
        segments.append(segment("REF", "1K", ack.payer_claim_number))
    return segments + [segment("DTP", "472", "D8", d8(claim.service_date))]


def _transaction(payer: Payer, entity: LegalEntity, batch: Batch, report: dt.date,
                 items: list[Transmission], control: int) -> list[str]:
    body = [segment("BHT", "0085", "08", f"{entity.code}{d8(batch.day)}{batch.form}{control:02d}",
                    d8(report), "0630", "TH")]
    body += _levels(payer, entity, batch.day, report, items)
    for hl, t in enumerate(items, start=4):
        body += _claim(t, hl, report)
    return transaction("277", control, VERSION, body)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: the acknowledgement of each accepted 837 batch received in the
    window (`277CA_<837 file stem>.x12`)."""
    files = {}
    control = 0
    for batch in batches(simulation):
        if not batch.accepted or batch.ack_date is None:
            continue
        entity = network.legal_entity(batch.entity_code)
        control += 1
        envelope = Envelope(network.clearinghouse_id, entity.submitter_id, "HN", VERSION,
                            dt.datetime.combine(batch.ack_date, REPORT_TIME), control)
        transactions = [
            _transaction(network.payer(payer_id), entity, batch, batch.ack_date, items, n)
            for n, (payer_id, items) in enumerate(transactions_of(batch), start=1)]
        files[f"277CA_{batch.name}.x12"] = interchange(envelope, transactions)
    return files
