"""The journal feed against the simulator's truth (DESIGN §5; decision 0034) on the shared
default-knob network, where the parent entity's billing office is paid for the subsidiary's
commercial claims (truth/intercompany.csv).

- Intercompany: per 835 payment and pair of entities, the receiver's due-to and the owner's
  due-from equal the truth's amount (CLP04 of the owner's claims less their PLB amounts).
- Cash clearing: per 835, the cash-clearing lines of its CLPs and PLBs equal its BPR02 (truth
  remittance events), so a matched deposit clears it; what stays in cash clearing per entity is
  the payments without a deposit.
- PLB: interest income and overpayment recoveries land in the entity that owns the claim.
- Gross revenue per entity: the charges of its claims not voided (a void reverses).
- Patient payments, refunds and write-offs per entity and kind.
Exact to the cent: every amount is a sum of amounts the files carry.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

from dbt_network import Network

from writeback.master_data import ENTITY_PARTY_PREFIX  # the party dbt must name (dbt var)

CASH_CLEARING, CASH, INTEREST_INCOME = "1010", "1020", "4300"
DUE_FROM, DUE_TO = "1250", "2050"
# each feed line's 835 trace number: CLP lines through their CLP, PLB lines through their PLB
TRACED_FEED = """
    select coalesce(claims.trace_number, adjustments.trace_number) as trace_number, feed.*
    from marts.fct_journal_feed as feed
    left join intermediate.int_remittance_claims_classified as claims
        on claims.remittance_claim_key = feed.source_event_key
        and feed.event_type in ('remittance', 'secondary_remittance')
    left join intermediate.int_provider_adjustments_classified as adjustments
        on adjustments.provider_adjustment_key = feed.source_event_key
        and feed.event_type = 'provider_adjustment'
"""


def _read(network: Network, name: str) -> list[dict[str, str]]:
    with (network.truth_dir / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _events(network: Network, event_type: str) -> list[dict[str, str]]:
    return [r for r in _read(network, "claim_events.csv") if r["event_type"] == event_type]


def test_due_to_and_due_from_per_payment_equal_the_truth(default_network: Network) -> None:
    truth = {
        (r["trace_number"], r["receiving_entity_code"], r["owning_entity_code"]):
            Decimal(r["amount"])
        for r in _read(default_network, "intercompany.csv")
    }
    assert len(truth) >= 5 and len({owner for _, _, owner in truth}) >= 1  # not vacuous
    due_to: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    due_from: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for trace, entity, party, account, net in default_network.rows(
        f"""select trace_number, legal_entity_code, party_code, account_code, sum(credit - debit)
            from ({TRACED_FEED}) where account_code in ('{DUE_TO}', '{DUE_FROM}')
            group by all"""
    ):
        other = party.removeprefix(ENTITY_PARTY_PREFIX)
        if account == DUE_TO:
            due_to[(trace, entity, other)] += net
        else:
            due_from[(trace, other, entity)] -= net
    assert dict(due_to) == truth
    assert dict(due_from) == truth


def test_cash_clearing_of_each_835_is_its_bpr02(default_network: Network) -> None:
    truth = {r["reference"]: Decimal(r["amount"]) for r in _events(default_network, "remittance")}
    assert len(truth) >= 20
    cleared = dict(default_network.rows(
        f"""select trace_number, sum(debit - credit) from ({TRACED_FEED})
            where account_code = '{CASH_CLEARING}' and event_type <> 'deposit'
            group by trace_number"""
    ))
    # a zero payment (BPR02 0, NON) posts nothing
    assert {t: a for t, a in cleared.items() if a} == {t: a for t, a in truth.items() if a}


def test_deposits_clear_cash_clearing_per_entity(default_network: Network) -> None:
    deposited: dict[str, Decimal] = defaultdict(Decimal)
    for deposit in _events(default_network, "deposit"):
        if deposit["status"] == "matched":
            deposited[deposit["reason"]] += Decimal(deposit["amount"])
    undeposited: dict[str, Decimal] = defaultdict(Decimal)
    for payment in _events(default_network, "remittance"):
        if payment["status"] != "deposited":
            undeposited[payment["reason"]] += Decimal(payment["amount"])
    assert deposited and any(undeposited.values())  # both cases occur
    balances = {
        (entity, account): net for entity, account, net in default_network.rows(
            f"""select legal_entity_code, account_code, sum(debit - credit)
                from marts.fct_journal_feed
                where account_code = '{CASH_CLEARING}'
                    or (account_code = '{CASH}' and event_type = 'deposit')  -- not patients' cash
                group by all""")
    }
    assert {e: balances[(e, CASH)] for e in deposited} == dict(deposited)
    assert {e: balances.get((e, CASH_CLEARING), Decimal(0)) for e in undeposited} == {
        e: a for e, a in undeposited.items()}


def test_plb_interest_and_recoveries_post_to_the_claims_owner(default_network: Network) -> None:
    owners = {r["claim_id"]: r["legal_entity_code"] for r in _read(default_network, "claims.csv")}
    interest: dict[str, Decimal] = defaultdict(Decimal)
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    for plb in _events(default_network, "plb"):
        owner, amount = owners[plb["claim_id"]], Decimal(plb["amount"])
        if plb["status"] == "L6":
            interest[owner] -= amount  # interest is a negative PLB amount: it adds to BPR02
        elif plb["status"] == "WO":
            recovered[owner] += amount
    assert interest and recovered
    posted = default_network.rows(
        f"""select legal_entity_code, rule_id
                , sum(credit - debit) filter (where account_code = '{INTEREST_INCOME}')
                , sum(debit - credit) filter (where account_code = '1200')
            from marts.fct_journal_feed where event_type = 'provider_adjustment' group by all""")
    assert {e: i for e, rule, i, _ in posted if rule == "PA-01"} == dict(interest)
    assert {e: r for e, rule, _, r in posted if rule == "PA-02"} == dict(recovered)


def test_every_company_and_journal_balances(default_network: Network) -> None:
    unbalanced = default_network.rows(
        """select legal_entity_code, event_type, journal_date, facility_code
           from marts.fct_journal_feed group by all having sum(debit) <> sum(credit)""")
    assert unbalanced == []
    companies = default_network.rows(
        "select legal_entity_code, sum(debit), sum(credit) from marts.fct_journal_feed group by 1")
    assert len(companies) == 2 and all(debit == credit > 0 for _, debit, credit in companies)


def test_patient_accounting_events_post_in_the_facilitys_entity(default_network: Network) -> None:
    """Patient payments (Dr cash / Cr A/R patients), refunds and write-offs, per entity and
    event kind, equal the truth's events of the entity's facilities."""
    entities = {r["claim_id"]: r["legal_entity_code"] for r in _read(default_network, "claims.csv")}
    truth: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for event in _read(default_network, "claim_events.csv"):
        if event["event_type"] in ("patient_payment", "refund", "write_off"):
            kind = "payment" if event["event_type"] == "patient_payment" else event["status"]
            entity = entities[event["claim_id"]]
            truth[(entity, event["event_type"], kind)] += Decimal(event["amount"])
    assert len({kind for _, _, kind in truth}) >= 3  # payments, refunds, a write-off type
    rules = {"patient_payment": "PP-01", "refund": "PP-02"}
    posted = dict(((entity, rule), amount) for entity, rule, amount in default_network.rows(
        """select legal_entity_code, rule_id, sum(debit) from marts.fct_journal_feed
           where event_type in ('patient_payment', 'patient_refund', 'write_off') group by all"""))
    write_off_rules = {"small_balance": "WO-05", "bad_debt": "WO-03", "charity": "WO-04",
                       "denial": "WO-01", "timely_filing": "WO-02", "administrative": "WO-06"}
    expected = {
        (entity, rules.get(event_type) or write_off_rules[kind]): amount
        for (entity, event_type, kind), amount in truth.items()}
    assert posted == expected


def test_gross_revenue_per_entity_is_the_charge_of_claims_not_voided(
    default_network: Network,
) -> None:
    claims = _read(default_network, "claims.csv")
    charges: dict[str, Decimal] = defaultdict(Decimal)
    for claim in claims:
        if claim["voided"] != "true":
            charges[claim["legal_entity_code"]] += Decimal(claim["charge_amount"])
    assert any(claim["voided"] == "true" for claim in claims)  # a void is reversed here
    revenue = dict(default_network.rows(
        "select legal_entity_code, sum(credit - debit) from marts.fct_journal_feed "
        "where account_code = '4000' group by 1"))
    assert revenue == dict(charges)
