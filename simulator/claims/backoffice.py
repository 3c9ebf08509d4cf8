"""After the payers: 835 transactions with their PLB lines, the bank deposits of the EFTs
(BAI2) and the patient-accounting extract (patient payments, write-offs, refunds)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from simulator.claims.params import ClaimsParams
from simulator.claims.records import (
    AccountingEntry,
    Deposit,
    ProviderAdjustment,
    RemitTransaction,
    RevenueCycle,
)
from simulator.model import Adjudication, Claim
from simulator.network import CENT, Network
from simulator.streams import stream

ZERO = Decimal("0")
MAX_PLB = 6  # one PLB segment per 835 (pyx12's map has a single footer PLB)


def trace_number(payer_id: str, entity_code: str, production: dt.date) -> str:
    """TRN02: the EFT / check trace of one payment (one per payer, payee and run)."""
    return f"{payer_id}{production:%y%m%d}{entity_code}"


def _business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def remittance_transactions(claims: list[Claim], revenue: RevenueCycle
                            ) -> list[RemitTransaction]:
    """835 transactions (payer x production date x payee entity: the claims' billing TIN, which
    may cover facilities of several legal entities), chronological; remits by claim id, a
    claim's adjudications in their order (a reversal before its correction)."""
    groups: dict[tuple[str, dt.date, str], list[tuple[Claim, Adjudication]]] = defaultdict(list)
    for claim in [*claims, *revenue.secondary_claims, *revenue.orphan_claims]:
        for adjudication in claim.adjudications:
            key = (claim.payer_id, adjudication.production_date, claim.payee_entity_code)
            groups[key].append((claim, adjudication))
    return [RemitTransaction(payer_id, production, remits[0][1].payment_date, entity,
                             trace_number(payer_id, entity, production),
                             sorted(remits, key=lambda r: r[0].claim_id))
            for (payer_id, production, entity), remits in
            sorted(groups.items(), key=lambda g: (g[0][1], g[0][0], g[0][2]))]


def _provider_adjustments(transactions: list[RemitTransaction], seed: int,
                          params: ClaimsParams) -> None:
    """L6 interest on clean claims paid late; now and then a WO recoupment of an earlier
    payment of the same payer and payee (only while BPR02 stays positive)."""
    paid_before: dict[tuple[str, str], list[tuple[Claim, Adjudication]]] = defaultdict(list)
    for tx in transactions:
        rng = stream(seed, "plb", tx.payer_id, tx.production_date.isoformat(), tx.entity_code)
        for claim, adj in tx.remits:
            if (adj.kind != "initial" or adj.paid <= 0 or claim.responsibility != "P"
                    or claim.submission_date is None):
                continue
            late = (tx.production_date - claim.submission_date).days - params.prompt_pay_days
            if late > 0 and rng.random() < params.interest_share and len(tx.plb) < MAX_PLB - 1:
                interest = (adj.paid * Decimal(str(params.interest_rate)) * late / 365
                            ).quantize(CENT)
                if interest > 0:
                    tx.plb.append(ProviderAdjustment("L6", claim.claim_id, -interest,
                                                     claim.claim_id))
        key = (tx.payer_id, tx.entity_code)
        if paid_before[key] and rng.random() < params.recoupment_rate:
            claim, adj = rng.choice(paid_before[key])
            amount = (adj.paid * Decimal(str(round(rng.uniform(0.1, 0.3), 2)))).quantize(CENT)
            if 0 < amount < tx.amount:
                tx.plb.append(ProviderAdjustment("WO", adj.payer_claim_number, amount,
                                                 claim.claim_id))
                paid_before[key].remove((claim, adj))
        paid_before[key] += [(c, a) for c, a in tx.remits
                             if a.kind == "initial" and a.paid > 0 and c.responsibility == "P"]


def _deposits(network: Network, transactions: list[RemitTransaction], end: dt.date,
              seed: int, params: ClaimsParams) -> list[Deposit]:
    rng = stream(seed, "bank")
    eft = [tx for tx in transactions if tx.eft and _business_day(tx.payment_date) <= end]
    missing = set(rng.sample(range(len(eft)), min(params.missing_deposits, len(eft))))
    deposits = [Deposit(_business_day(tx.payment_date), tx.entity_code, tx.amount, tx.trace,
                        tx.payer_id, True)
                for n, tx in enumerate(eft) if n not in missing]
    payers = [p for p in network.payers if p.billable]
    days = sorted({d.date for d in deposits})
    for n in range(params.orphan_deposits if days else 0):
        payer = rng.choice(payers)
        entity = rng.choice(network.legal_entities).code
        day = rng.choice(days)
        deposits.append(Deposit(day, entity, Decimal(rng.randrange(10000, 300000)) / 100,
                                f"{trace_number(payer.payer_id, entity, day)}U{n}",
                                payer.payer_id, False))
    return sorted(deposits, key=lambda d: (d.date, d.entity_code, d.trace))


def _patient_accounting(network: Network, claims: list[Claim], end: dt.date, seed: int,
                        params: ClaimsParams) -> list[AccountingEntry]:
    """Copays at the point of service; statements once the payers are done (paid, partly
    paid, charity, small-balance or bad-debt write-off); refunds of credit balances."""
    entries = []
    small = Decimal(params.small_balance)

    def book(kind: str, day: dt.date, claim: Claim, amount: Decimal, subtype: str) -> None:
        if day <= end and amount > 0:
            entries.append(AccountingEntry(kind, day, claim, amount, subtype))

    for claim in claims:
        if claim.submission_date is None:
            continue
        payer = network.payer(claim.payer_id)
        rng = stream(seed, "patient", claim.claim_id)
        collected = ZERO
        if claim.service_code.startswith("99") and payer.copay and (
                rng.random() < params.pos_collection_rate):
            collected = payer.copay
            book("patient_payment", claim.service_date, claim, collected, "point_of_service")
        settled = [a for a in claim.adjudications if a.status_code in ("1", "22")]
        if not settled or settled[-1].status_code != "1":
            continue
        owed = sum((a.patient_responsibility for a in settled), ZERO)
        last = settled[-1].payment_date
        if claim.secondary is not None:
            if not claim.secondary.adjudications:
                continue  # waiting for the secondary payer
            owed -= claim.secondary.adjudications[0].paid
            last = claim.secondary.adjudications[0].payment_date
        statement = last + dt.timedelta(days=rng.randint(3, 7))
        balance = owed - collected
        if balance < 0:
            book("refund", statement + dt.timedelta(days=rng.randint(14, 30)), claim, -balance,
                 "patient")
        elif balance < small:
            book("write_off", statement, claim, balance, "small_balance")
        else:
            draw = rng.random()
            paid_on = statement + dt.timedelta(days=rng.randint(10, 45))
            bad_debt = statement + dt.timedelta(days=params.bad_debt_days)
            if draw < params.statement_pay_rate:
                book("patient_payment", paid_on, claim, balance, "statement")
            elif draw < params.statement_pay_rate + params.statement_partial_rate:
                half = (balance / 2).quantize(CENT)
                book("patient_payment", paid_on, claim, half, "statement")
                book("write_off", bad_debt, claim, balance - half, "bad_debt")
            elif draw < (params.statement_pay_rate + params.statement_partial_rate
                         + params.charity_rate):
                book("write_off", statement + dt.timedelta(days=30), claim, balance, "charity")
            else:
                book("write_off", bad_debt, claim, balance, "bad_debt")
    return entries


def back_office(network: Network, claims: list[Claim], revenue: RevenueCycle, end: dt.date,
                seed: int, params: ClaimsParams) -> None:
    revenue.remittances = remittance_transactions(claims, revenue)
    _provider_adjustments(revenue.remittances, seed, params)
    revenue.deposits = _deposits(network, revenue.remittances, end, seed, params)
    revenue.accounting += _patient_accounting(network, claims, end, seed, params)
    revenue.accounting.sort(key=lambda e: (e.date, e.kind, e.claim.claim_id, e.subtype))
