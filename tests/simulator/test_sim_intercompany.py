"""One 835 payee TIN covering facilities of several legal entities: the parent's billing office
bills the commercial payers for every entity, so the parent's 835s pay the other entity's
claims; truth/intercompany.csv holds the due-to / due-from balances, and the ERP master data
(legal_entities: tax id, group NPI, bank account; facilities: legal entity) is all a pipeline
needs to derive them from the files."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from simtest_x12 import segments, transactions

from simulator.truth import read_rows

ZERO = Decimal("0")


def _master(out: Path, entity: str) -> list[dict[str, str]]:
    return read_rows(sorted((out / "erp_master").iterdir())[0] / f"{entity}.csv")


def _owners(out: Path) -> dict[str, str]:
    """Claim id -> owning legal entity, through the claim's facility (truth claims.csv, ERP
    facilities.csv)."""
    entity_of = {f["facility_code"]: f["legal_entity_code"] for f in _master(out, "facilities")}
    return {c["claim_id"]: entity_of[c["facility_code"]]
            for c in read_rows(out / "truth" / "claims.csv")}


def _payments(out: Path) -> list[dict]:
    """Per 835 transaction: TRN02, BPR01 / BPR02, the payee (N1*PE04, REF*TJ), its CLPs and
    PLB adjustments, read from the files."""
    found = []
    for path in sorted((out / "x12_835").glob("*.x12")):
        for st in transactions(path):
            payee = next(i for i, s in enumerate(st) if s[:2] == ["N1", "PE"])
            plb = [(s[i].split(":"), Decimal(s[i + 1])) for s in st if s[0] == "PLB"
                   for i in range(3, len(s), 2)]
            found.append({
                "trace": next(s[2] for s in st if s[0] == "TRN"),
                "bpr": next(s for s in st if s[0] == "BPR"),
                "payee_npi": st[payee][4],
                "payee_tin": next(s[2] for s in st[payee:] if s[:2] == ["REF", "TJ"]),
                "clps": [(s[1], Decimal(s[4]), s[7]) for s in st if s[0] == "CLP"],
                "plb": [(reason, reference, amount) for (reason, reference), amount in plb]})
    return found


def _shares(out: Path) -> tuple[list[dict], dict[str, dict[str, Decimal]], dict[str, str]]:
    """(payments, TRN02 -> owning entity -> part of BPR02, TRN02 -> receiving entity): each
    CLP04 to its claim's owner, each PLB (L6: claim id, WO: the payer claim number of an
    earlier CLP07) to its claim's owner; a claim the files never submitted stays with the
    receiver."""
    owners = _owners(out)
    payments = _payments(out)
    claim_of_number = {number: claim for p in payments for claim, _, number in p["clps"]}
    receiving = {e["tax_id"]: e["legal_entity_code"] for e in _master(out, "legal_entities")}
    shares: dict[str, dict[str, Decimal]] = {}
    receiver: dict[str, str] = {}
    for p in payments:
        receiver[p["trace"]] = own = receiving[p["payee_tin"]]
        share: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for claim, paid, _ in p["clps"]:
            share[owners.get(claim, own)] += paid
        for reason, reference, amount in p["plb"]:
            claim = reference if reason == "L6" else claim_of_number.get(reference, "")
            share[owners.get(claim, own)] -= amount
        shares[p["trace"]] = dict(share)
    return payments, shares, receiver


@pytest.fixture(scope="module")
def full(clean_dataset: Path) -> tuple[list[dict], dict, dict]:
    return _shares(clean_dataset)


def test_one_payee_tin_is_paid_for_claims_of_two_legal_entities(
        clean_dataset: Path, full: tuple) -> None:
    payments, shares, receiver = full
    entities = {e["legal_entity_code"]: e for e in _master(clean_dataset, "legal_entities")}
    for p in payments:  # the payee identification maps to one entity of the master data
        assert entities[receiver[p["trace"]]]["group_npi"] == p["payee_npi"]
    shared = {receiver[p["trace"]] for p in payments
              if len({o for o, v in shares[p["trace"]].items()}) >= 2}
    assert shared == {"NHP"}
    owners = {o for p in payments for o in shares[p["trace"]]}
    assert owners == set(entities) == {"NHP", "RMG"}


def test_intercompany_truth_is_the_part_of_bpr02_paid_for_other_entities(
        clean_dataset: Path, full: tuple) -> None:
    payments, shares, receiver = full
    for p in payments:
        assert sum(shares[p["trace"]].values(), ZERO) == Decimal(p["bpr"][2])
    expected = {(trace, owner): amount for trace, share in shares.items()
                for owner, amount in share.items()
                if owner != receiver[trace] and amount != 0}
    rows = read_rows(clean_dataset / "truth" / "intercompany.csv")
    got = {(r["trace_number"], r["owning_entity_code"]): Decimal(r["amount"]) for r in rows}
    assert len(got) == len(rows) > 10
    assert got == expected
    for r in rows:
        assert r["receiving_entity_code"] == receiver[r["trace_number"]] != r["owning_entity_code"]
        assert Decimal(r["amount"]) == (Decimal(r["claims_paid_amount"])
                                        - Decimal(r["provider_adjustment_amount"]))
    assert any(Decimal(r["provider_adjustment_amount"]) != 0 for r in rows)  # PLB included


def test_the_837_bills_under_the_payee_tin_and_names_the_owning_facility(
        clean_dataset: Path) -> None:
    entity_of_tin = {e["tax_id"]: e["legal_entity_code"]
                     for e in _master(clean_dataset, "legal_entities")}
    entity_of_npi = {f["npi"]: f["legal_entity_code"]
                     for f in _master(clean_dataset, "facilities")}
    claims = {c["claim_id"]: c for c in read_rows(clean_dataset / "truth" / "claims.csv")}
    crossed = 0
    for path in sorted((clean_dataset / "x12_837").glob("*.x12")):
        billing = responsibility = claim_id = ""
        for seg in segments(path):
            if seg[:2] == ["REF", "EI"]:  # 2010AA: the billing provider's TIN
                billing = entity_of_tin[seg[2]]
            elif seg[0] == "HL" and seg[3] == "22":
                responsibility = "next"
            elif seg[0] == "SBR" and responsibility == "next":  # 2000B, not 2320
                responsibility = seg[1]
            elif seg[0] == "CLM":
                claim_id = seg[1]
            elif seg[:2] == ["NM1", "77"] and responsibility == "P":  # 2310C facility
                claim = claims[claim_id]
                assert billing == claim["billing_entity_code"]
                assert entity_of_npi[seg[9]] == claim["legal_entity_code"]
                crossed += billing != claim["legal_entity_code"]
    assert crossed > 100


def test_deposits_of_shared_payments_reach_the_receiving_entitys_account(
        clean_dataset: Path) -> None:
    accounts = {e["legal_entity_code"]: e["bank_account"]
                for e in _master(clean_dataset, "legal_entities")}
    account_of_trace: dict[str, str] = {}
    for path in (clean_dataset / "bai2").glob("*.bai"):
        account = ""
        for line in path.read_text().splitlines():
            fields = line.split(",")
            if fields[0] == "03":
                account = fields[1]
            elif fields[0] == "16":
                account_of_trace[fields[5]] = account
    rows = read_rows(clean_dataset / "truth" / "intercompany.csv")
    deposited = [r for r in rows if r["trace_number"] in account_of_trace]
    assert deposited
    assert all(account_of_trace[r["trace_number"]] == accounts[r["receiving_entity_code"]]
               for r in deposited)


def test_skeleton_bills_every_entity_under_its_own_tin(skeleton_dataset: Path) -> None:
    payments, shares, receiver = _shares(skeleton_dataset)
    assert payments
    assert all(set(shares[p["trace"]]) == {receiver[p["trace"]]} for p in payments)
    assert read_rows(skeleton_dataset / "truth" / "intercompany.csv") == []
