"""Intercompany truth: when an 835 pays claims of one legal entity to another entity's TIN
(the parent's billing office bills some payers for every entity), the receiving entity holds
cash it owes the owning entity. One row per 835 payment (TRN02) x owning entity other than
the payee, with the part of BPR02 that belongs to that entity: its claims' CLP04 less the PLB
adjustments of its claims (interest is a negative PLB amount, so it adds). These are the
due-to (receiving entity) / due-from (owning entity) balances the ERP must record.

A remit for a claim never submitted (no owner the files can show) stays with the receiving
entity, as unapplied cash."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from simulator.claims.records import RemitTransaction
from simulator.model import Simulation
from simulator.network import Network

INTERCOMPANY_COLUMNS = (
    "trace_number", "payer_id", "production_date", "payment_date", "payment_method",
    "receiving_entity_code", "receiving_tax_id", "owning_entity_code", "claims",
    "claims_paid_amount", "provider_adjustment_amount", "amount",
)
ZERO = Decimal("0")


def _owners(simulation: Simulation) -> dict[str, str]:
    """Claim id -> owning legal entity (the facility's), for the claims the files show."""
    revenue = simulation.revenue
    return {c.claim_id: c.legal_entity_code
            for c in [*simulation.claims, *revenue.secondary_claims]}


def _shares(tx: RemitTransaction, owners: dict[str, str]
            ) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Owning entity -> (CLP count, sum of CLP04, sum of PLB amounts) within one payment."""
    claims: dict[str, int] = defaultdict(int)
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    adjusted: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for claim, adjudication in tx.remits:
        owner = owners.get(claim.claim_id, tx.entity_code)
        claims[owner] += 1
        paid[owner] += adjudication.paid
    for plb in tx.plb:
        adjusted[owners.get(plb.claim_id, tx.entity_code)] += plb.amount
    return {owner: (claims[owner], paid[owner], adjusted[owner])
            for owner in sorted(set(paid) | set(adjusted))}


def intercompany_rows(network: Network, simulation: Simulation) -> list[dict[str, str]]:
    """Rows in payment order (production date, payer, payee), then owning entity; only
    non-zero balances."""
    owners = _owners(simulation)
    rows = []
    for tx in simulation.revenue.remittances:
        receiver = network.legal_entity(tx.entity_code)
        for owner, (count, paid, adjusted) in _shares(tx, owners).items():
            amount = paid - adjusted
            if owner == tx.entity_code or amount == 0:
                continue
            rows.append({
                "trace_number": tx.trace, "payer_id": tx.payer_id,
                "production_date": tx.production_date.isoformat(),
                "payment_date": tx.payment_date.isoformat(),
                "payment_method": "ACH" if tx.eft else "NON",
                "receiving_entity_code": tx.entity_code, "receiving_tax_id": receiver.tax_id,
                "owning_entity_code": owner, "claims": str(count),
                "claims_paid_amount": f"{paid:.2f}",
                "provider_adjustment_amount": f"{adjusted:.2f}", "amount": f"{amount:.2f}"})
    return rows
