"""Truth rules the pipeline can follow from the files alone: the facility of a remit without
submission (decision 0027) and the net patient service revenue of the denial write-off ratio.
(`lifecycle_dataset`: 3 facilities x 90 days, seed 9, faults off.)"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from simtest_x12 import transactions

from simulator.claims.truth_rows import remit_facility
from simulator.truth import read_rows


def test_remit_facility_prefers_the_visit_then_a_single_billed_facility() -> None:
    visits = {"V1": "NHO"}
    billed = {"NHP": {"NHO", "RVC"}, "RMG": {"RVC"}}
    assert remit_facility("V1", "NHP", visits, billed) == "NHO"  # CLP01 names a visit
    assert remit_facility("V1X0", "RMG", visits, billed) == "RVC"  # one billed facility
    assert remit_facility("V1X0", "NHP", visits, billed) == ""  # a parent billing for two
    assert remit_facility("V1X0", "NEW", visits, billed) == ""  # a payee that never billed


def _element(transaction: list[list[str]], segment: str, qualifier: str, index: int) -> str:
    found = next(s for s in transaction if s[0] == segment and s[1] == qualifier)
    return found[index]


def _facilities_by_billing_npi(out: Path) -> dict[str, set[str]]:
    """From the 837 files and the ERP facility master: billing NPI (2010AA) -> the facility
    codes of the service facility NPIs (2310C) of its claims."""
    extracts = sorted((out / "erp_master").glob("*/facilities.csv"))
    codes = {r["npi"]: r["facility_code"] for r in read_rows(extracts[-1])}
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((out / "x12_837").glob("*.x12")):
        for transaction in transactions(path):
            billing = _element(transaction, "NM1", "85", 9)
            found[billing] |= {codes[s[9]] for s in transaction if s[:2] == ["NM1", "77"]}
    return found


def _orphan_remits(out: Path) -> dict[str, str]:
    """CLP01 of every 835 claim no submission carried -> the payee NPI (N1*PE) of its 835."""
    events = read_rows(out / "truth" / "claim_events.csv")
    submitted = {e["claim_id"] for e in events if e["event_type"] == "submission"}
    found = {}
    for path in sorted((out / "x12_835").glob("*.x12")):
        for transaction in transactions(path):
            payee = _element(transaction, "N1", "PE", 4)
            for segment in transaction:
                if segment[0] == "CLP" and segment[1] not in submitted:
                    found[segment[1]] = payee
    return found


def test_orphan_remits_belong_to_the_facility_their_835_can_name(lifecycle_dataset: Path) -> None:
    """Recomputed from the files as the pipeline sees them: the payee NPI's only billed
    facility, else none; the truth's per-facility breaks follow."""
    out = lifecycle_dataset
    orphans = _orphan_remits(out)
    assert orphans
    billed = _facilities_by_billing_npi(out)
    visits = {r["visit_number"] for r in read_rows(out / "truth" / "appointments.csv")}
    expected = {}
    for claim_id, payee in orphans.items():
        assert claim_id not in visits  # an unsolicited remit names no visit
        facilities = billed.get(payee, set())
        expected[claim_id] = next(iter(facilities)) if len(facilities) == 1 else ""
    events = read_rows(out / "truth" / "claim_events.csv")
    got = {e["claim_id"]: e["facility_code"] for e in events
           if e["claim_id"] in orphans and e["event_type"] in ("adjudication", "reversal")}
    assert got == expected
    kpis = json.loads((out / "truth" / "kpis.json").read_text())["claim_kpis"]
    by_facility = sum(v["reconciliation_breaks"]["remits_without_submission"]
                      for v in kpis["by_facility"].values())
    overall = kpis["overall"]["reconciliation_breaks"]["remits_without_submission"]
    assert overall == len(orphans)
    assert by_facility == sum(1 for facility in expected.values() if facility)


def _revenue(rows: list[dict[str, str]], month: str | None = None,
             facility: str | None = None) -> Decimal:
    return sum((Decimal(r["expected_reimbursement"]) for r in rows
                if (month is None or r["service_date"][:7] == month)
                and facility in (None, r["facility_code"])), Decimal("0"))


def test_write_off_ratio_divides_by_the_revenue_of_net_days_in_ar(
        lifecycle_dataset: Path) -> None:
    """Net patient service revenue of services rendered, billed or not (DESIGN §4), the same
    revenue as net days in A/R: claims.csv plus unbilled_services.csv by service date."""
    out = lifecycle_dataset
    claims = read_rows(out / "truth" / "claims.csv")
    unbilled = read_rows(out / "truth" / "unbilled_services.csv")
    assert unbilled
    kpis = json.loads((out / "truth" / "kpis.json").read_text())["claim_kpis"]
    groups = [(kpis["overall"], None, None)]
    groups += [(v, None, code) for code, v in kpis["by_facility"].items()]
    groups += [(v, month, None) for month, v in kpis["by_month"].items()]
    for values, month, facility in groups:
        ratio = values["denial_write_off_ratio"]
        billed = _revenue(claims, month, facility)
        not_billed = _revenue(unbilled, month, facility)
        assert (ratio["denominator_billed"], ratio["denominator_unbilled"]) == (
            float(billed), float(not_billed)), (month, facility)
        assert ratio["denominator"] == float(billed + not_billed), (month, facility)
    written_off = sum((Decimal(r["denial_write_off_amount"]) for r in claims
                       if r["denial_write_off_date"]), Decimal("0"))
    overall = kpis["overall"]["denial_write_off_ratio"]
    assert overall["numerator"] == float(written_off) > 0
    assert overall["value"] == float(written_off) / float(overall["denominator"])
