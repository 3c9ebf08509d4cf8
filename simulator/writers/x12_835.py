"""835 (005010X221A1) remittances: one file per payer payment run (production date), one
transaction (BPR / TRN) per payee TIN (N1*PE / REF*TJ: the claims' billing entity, which may
pay claims of several legal entities' facilities: truth/intercompany.csv); remark codes
(`simulator.claims.remarks`) as MOA on the claim and LQ*HE on the line; BPR02 = sum of
CLP04 - sum of PLB. A reversal (CLP02 22) negates every amount of the CLP it reverses; a
secondary payer's CLP has CLP02 2."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from simulator.claims.backoffice import trace_number as _trace
from simulator.claims.records import ProviderAdjustment, RemitTransaction
from simulator.claims.remarks import Remarks, remarks
from simulator.model import Adjudication, Adjustment, Claim, Simulation
from simulator.network import LegalEntity, Network, Payer
from simulator.writers.x12 import Envelope, amount, composite, d8, interchange, segment, transaction

VERSION = "005010X221A1"
RUN_TIME = dt.time(5, 0)
Remit = tuple[Claim, Adjudication]


def trace_number(payer: Payer, entity: LegalEntity, production: dt.date) -> str:
    """TRN02: the EFT / check trace of one payment (one per payer, payee and run)."""
    return _trace(payer.payer_id, entity.code, production)


def _bpr(payer: Payer, entity: LegalEntity, total: Decimal, paid_on: dt.date) -> str:
    if total == 0:
        return segment("BPR", "H", "0", "C", "NON", *([""] * 11), d8(paid_on))
    return segment("BPR", "I", amount(total), "C", "ACH", "CCP", "01", "011000015", "DA",
                   f"7{payer.tax_id}", f"1{payer.tax_id}", "", "01", "021000089", "DA",
                   f"4{entity.tax_id}", d8(paid_on))


def _header(payer: Payer, entity: LegalEntity, tx: RemitTransaction) -> list[str]:
    production, paid_on = tx.production_date, tx.payment_date
    return [
        _bpr(payer, entity, tx.amount, paid_on),
        segment("TRN", "1", trace_number(payer, entity, production), f"1{payer.tax_id}"),
        segment("DTM", "405", d8(production)),
        segment("N1", "PR", payer.name, "XV", payer.payer_id),
        segment("N3", "PO BOX 4400"),
        segment("N4", "CLAIMSVILLE", "MD", "212000440"),
        segment("PER", "BL", "EDI SUPPORT", "TE", "8005550199"),
        segment("N1", "PE", entity.name, "XX", entity.group_npi),
        segment("REF", "TJ", entity.tax_id),
    ]


def _cas(adjustments: list[Adjustment]) -> list[str]:
    """CAS segments, one per group, triplets in order."""
    groups: dict[str, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        groups[adjustment.group].append(adjustment)
    return [segment("CAS", group, *(v for a in items for v in (a.reason, amount(a.amount), "")))
            for group, items in groups.items()]


def _lines(claim: Claim, adjudication: Adjudication, remark: Remarks) -> list[str]:
    if not adjudication.line_paid:  # adjudicated at claim level only (no SVC loops)
        return []
    segments = []
    sign = -1 if adjudication.status_code == "22" else 1
    for line, paid in zip(claim.lines, adjudication.line_paid, strict=True):
        own = [a for a in adjudication.adjustments if a.line_number == line.number]
        segments += [
            segment("SVC", composite("HC", line.procedure_code), amount(sign * line.charge),
                    amount(paid), "", sign * line.units),
            segment("DTM", "472", d8(claim.service_date)),
            *_cas(own),
            segment("REF", "6R", line.control_number),
        ]
        if adjudication.status_code == "1":
            segments.append(segment("AMT", "B6", amount(line.allowed)))
        segments += [segment("LQ", "HE", code) for code in remark.lines.get(line.number, ())]
    return segments


def _claim(claim: Claim, adjudication: Adjudication, payer: Payer) -> list[str]:
    patient = claim.appointment.patient
    responsibility = adjudication.patient_responsibility
    claim_level = [a for a in adjudication.adjustments if a.line_number is None]
    charge = -claim.charge if adjudication.status_code == "22" else claim.charge
    remark = remarks(claim, adjudication, payer.payer_type)
    moa = [segment("MOA", "", "", *remark.claim)] if remark.claim else []
    return [
        segment("CLP", claim.claim_id, adjudication.status_code, amount(charge),
                amount(adjudication.paid), amount(responsibility) if responsibility else "",
                payer.remit_filing_indicator,
                adjudication.payer_claim_number or claim.payer_claim_number, "11",
                adjudication.frequency_code or claim.frequency_code),
        *_cas(claim_level),
        segment("NM1", "QC", "1", patient.family, patient.given, "", "", "", "MI",
                claim.member_id or patient.member_id),
        *moa,  # outpatient adjudication: MOA03.. remark codes
        segment("DTM", "232", d8(claim.service_date)),
        *_lines(claim, adjudication, remark),
    ]


def _plb(entity: LegalEntity, tx: RemitTransaction) -> list[str]:
    """PLB segments, up to six adjustments each; PLB02 = the last day of the fiscal year."""
    items: list[ProviderAdjustment] = tx.plb
    fiscal_year_end = d8(tx.production_date.replace(month=12, day=31))
    return [segment("PLB", entity.group_npi, fiscal_year_end,
                    *(v for p in items[i:i + 6]
                      for v in (composite(p.reason, p.reference), amount(p.amount))))
            for i in range(0, len(items), 6)]


def _transaction(payer: Payer, entity: LegalEntity, tx: RemitTransaction,
                 control: int) -> list[str]:
    body = _header(payer, entity, tx)
    body.append(segment("LX", "1"))
    for claim, adjudication in tx.remits:
        body += _claim(claim, adjudication, payer)
    body += _plb(entity, tx)
    return transaction("835", control, None, body)


def payment_runs(simulation: Simulation) -> list[tuple[str, dt.date, list[RemitTransaction]]]:
    """(payer id, production date, its 835 transactions by payee entity)."""
    runs: dict[tuple[str, dt.date], list[RemitTransaction]] = defaultdict(list)
    for tx in simulation.revenue.remittances:
        runs[(tx.payer_id, tx.production_date)].append(tx)
    return [(payer_id, day, sorted(txs, key=lambda t: t.entity_code))
            for (payer_id, day), txs in sorted(runs.items())]


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content, one interchange per payer payment run."""
    files = {}
    for control, (payer_id, production, txs) in enumerate(payment_runs(simulation), start=1):
        payer = network.payer(payer_id)
        envelope = Envelope(payer.payer_id, network.clearinghouse_id, "HP", VERSION,
                            dt.datetime.combine(production, RUN_TIME), control)
        transactions = [_transaction(payer, network.legal_entity(tx.entity_code), tx, n)
                        for n, tx in enumerate(txs, start=1)]
        files[f"835_{payer_id}_{d8(production)}.x12"] = interchange(envelope, transactions)
    return files
