"""Claims lifecycle (issue 3): every X12 file passes pyx12, BAI2 parses, the truth agrees with
the files, KPIs recompute independently, and the skeleton knobs give the issue-2 shape.
(`lifecycle_dataset`: 3 facilities x 90 days, seed 9; `skeleton_dataset`: 3 x 120, seed 7.)"""

from __future__ import annotations

import functools
import io
import json
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document
from bai2 import bai2
from simtest_x12 import segments, transactions

from simulator.truth import read_rows

PARAMS = pyx12.params.params()


@pytest.fixture(scope="module")
def full(lifecycle_dataset: Path) -> Path:
    return lifecycle_dataset


@pytest.fixture(scope="module")
def skeleton(skeleton_dataset: Path) -> Path:
    return skeleton_dataset


@pytest.fixture(scope="module")
def cached_maps() -> Iterator[None]:
    original = pyx12.map_if.load_map_file
    pyx12.map_if.load_map_file = functools.cache(original)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    yield
    pyx12.map_if.load_map_file = original


def _valid(path: Path) -> bool:
    return bool(pyx12.x12n_document.x12n_document(
        param=PARAMS, src_file=str(path), fd_997=None, fd_html=None, fd_xmldoc=None,
        fd_json=io.StringIO()))


def _text(folder: Path) -> str:
    return "".join(p.read_text() for p in sorted(folder.glob("*.x12")))


@pytest.mark.parametrize("folder,pattern", [("x12_837", "*"), ("x12_999", "*"),
                                            ("x12_277", "277CA_*"), ("x12_835", "*")])
def test_every_x12_file_passes_pyx12(full: Path, cached_maps: None, folder: str,
                                     pattern: str) -> None:
    """(The claim status 276 / 277 of x12_277: test_sim_claim_status.py.)"""
    files = sorted((full / folder).glob(f"{pattern}.x12"))
    assert files
    assert [p.name for p in files if not _valid(p)] == []


def test_full_lifecycle_has_every_variant(full: Path) -> None:
    claims837 = _text(full / "x12_837")
    assert "005010X223A2" in claims837 and "SV2*" in claims837  # 837I
    assert "\nSBR*S*" in claims837 and "AMT*D*" in claims837 and "SVD*" in claims837
    assert ":7*" in claims837 and "REF*F8*" in claims837
    assert "AK9*R*" in _text(full / "x12_999")
    acks = _text(full / "x12_277")
    assert any(f"STC*{c}:" in acks for c in ("A3", "A6", "A7", "A8"))
    remits = _text(full / "x12_835")
    assert "*22*-" in remits and "\nCLP*" in remits and "PLB*" in remits
    assert "*2*" in "".join(s for s in remits.split("~\n") if s.startswith("CLP*"))
    assert {"CO*197", "CO*16", "CO*50"} <= {c for c in ("CO*197", "CO*16", "CO*50", "CO*29",
                                                       "CO*B7") if f"CAS*{c}*" in remits}
    # a zero payment (BPR*H NON), denials at claim level (CAS after CLP) and at line level
    denials = [c.split("~\n")[1][:3] for c in remits.split("CLP*")[1:]
               if c.split("*")[1] == "4"]
    assert "BPR*H*0*C*NON" in remits and {"CAS", "NM1"} <= set(denials)


def test_every_bai2_file_parses(full: Path) -> None:
    files = sorted((full / "bai2").glob("*.bai"))
    assert files
    for path in files:
        parsed = bai2.parse_from_string(path.read_text(), check_integrity=True)
        assert parsed.children


def _batches(out: Path) -> dict[str, bool]:
    """837 file stem -> accepted by its 999."""
    return {p.stem[4:]: "AK9*A*" in p.read_text() for p in (out / "x12_999").glob("*.x12")}


def test_submissions_in_truth_are_the_first_accepted_original_837s(full: Path) -> None:
    accepted = _batches(full)
    first: dict[str, str] = {}
    for path in sorted((full / "x12_837").glob("*.x12"), key=lambda p: p.stem[-8:]):
        if not accepted[path.stem]:
            continue
        responsibility = ""
        for seg in segments(path):
            if seg[0] == "SBR" and len(seg) > 2 and seg[2] == "18" and seg[1] in "PS":
                responsibility = responsibility if False else seg[1]
            if seg[0] == "HL" and seg[3] == "22":
                responsibility = ""
            if seg[0] == "SBR" and not responsibility:
                responsibility = seg[1]
            if seg[0] == "CLM" and responsibility == "P" and seg[5].split(":")[2] == "1":
                first.setdefault(seg[1], path.stem[-8:])
    claims = read_rows(full / "truth" / "claims.csv")
    assert {r["claim_id"]: r["submission_date"].replace("-", "") for r in claims} == first


def test_secondary_837s_reuse_clm01_with_sbr_s(full: Path) -> None:
    truth = {r["claim_id"]: r for r in read_rows(full / "truth" / "claims.csv")}
    found = 0
    for path in (full / "x12_837").glob("*.x12"):
        sbr = ""
        for seg in segments(path):
            if seg[0] == "HL" and seg[3] == "22":
                sbr = "next"
            elif seg[0] == "SBR" and sbr == "next":
                sbr = seg[1]
            elif seg[0] == "CLM" and sbr == "S":
                found += 1
                assert truth[seg[1]]["secondary_payer_id"]
    assert found > 0


def test_bpr02_is_sum_clp04_minus_plb_and_reversals_follow_payments(full: Path) -> None:
    paid_before: set[str] = set()
    for path in sorted((full / "x12_835").glob("*.x12"), key=lambda p: p.stem[-8:]):
        for st in transactions(path):
            bpr = next(s for s in st if s[0] == "BPR")
            clp = sum((Decimal(s[4]) for s in st if s[0] == "CLP"), Decimal("0"))
            plb = sum((Decimal(s[i]) for s in st if s[0] == "PLB"
                       for i in range(4, len(s), 2)), Decimal("0"))
            assert Decimal(bpr[2]) == clp - plb, path.name
            for s in st:
                if s[0] == "CLP" and s[2] == "22":
                    assert s[1] in paid_before
                elif s[0] == "CLP" and Decimal(s[4]) > 0:
                    paid_before.add(s[1])


def test_deposits_are_the_eft_835s_minus_the_deliberately_unmatched(full: Path) -> None:
    events = read_rows(full / "truth" / "claim_events.csv")
    end = date.fromisoformat(json.loads((full / "truth" / "kpis.json").read_text())
                             ["window_end"])
    eft = {}
    for path in (full / "x12_835").glob("*.x12"):
        for st in transactions(path):
            bpr = next(s for s in st if s[0] == "BPR")
            trn = next(s for s in st if s[0] == "TRN")
            if bpr[1] == "I" and date.fromisoformat(
                    f"{bpr[16][:4]}-{bpr[16][4:6]}-{bpr[16][6:]}") <= end:
                eft[trn[2]] = Decimal(bpr[2])
    deposits = {}
    for path in (full / "bai2").glob("*.bai"):
        for line in path.read_text().splitlines():
            if line.startswith("16,"):
                fields = line.split(",")
                deposits[fields[5]] = Decimal(fields[2]) / 100
    missing = {e["reference"] for e in events if e["event_type"] == "remittance"
               and e["status"] == "missing_deposit"}
    orphans = {e["reference"] for e in events if e["event_type"] == "deposit"
               and e["status"] == "unmatched"}
    weekend_shifted = {t for t in eft if t not in deposits and t not in missing}
    assert missing and orphans
    assert {t: a for t, a in deposits.items() if t not in orphans} == {
        t: a for t, a in eft.items() if t not in missing and t not in weekend_shifted}
    assert len(weekend_shifted) <= 2  # BPR16 on a weekend deposited after the window
    kpis = json.loads((full / "truth" / "kpis.json").read_text())
    breaks = kpis["claim_kpis"]["overall"]["reconciliation_breaks"]
    assert breaks["deposits_without_remit"] == len(orphans)
    assert breaks["remits_without_deposit"] >= len(missing)
    assert breaks["remits_without_submission"] == 1


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def test_claim_kpis_match_an_independent_recomputation(full: Path) -> None:
    claims = read_rows(full / "truth" / "claims.csv")
    events = read_rows(full / "truth" / "claim_events.csv")
    kpis = json.loads((full / "truth" / "kpis.json").read_text())["claim_kpis"]
    # from the events: first primary adjudication per claim and the first-pass flag
    first_adj: dict[str, tuple[str, str]] = {}
    transmissions: dict[str, list[dict[str, str]]] = defaultdict(list)
    acks: dict[tuple[str, str], str] = {}
    for e in events:
        if e["payer_responsibility"] != "P":
            continue
        if e["event_type"] == "adjudication" and e["status"] in ("1", "4", "19"):
            first_adj.setdefault(e["claim_id"], (e["event_date"], e["status"]))
        elif e["event_type"] == "submission":
            transmissions[e["claim_id"]].append(e)
        elif e["event_type"] == "ack_277ca":
            acks.setdefault((e["claim_id"], e["event_date"]), e["status"])
    ids = {r["claim_id"] for r in claims}
    cycle = [_days(r["submission_date"], first_adj[r["claim_id"]][0])
             for r in claims if r["claim_id"] in first_adj]
    assert kpis["overall"]["claim_cycle_time_days"]["median"] == statistics.median(cycle)
    denied = sum(first_adj[c][1] == "4" for c in ids if c in first_adj)
    rate = kpis["overall"]["initial_denial_rate"]
    assert (rate["numerator"], rate["denominator"]) == (denied, len(cycle))
    assert 0.05 <= rate["value"] <= 0.14
    primary_acks: dict[str, list[dict[str, str]]] = defaultdict(list)
    for e in events:
        if e["event_type"] == "ack_277ca" and e["payer_responsibility"] == "P":
            primary_acks[e["claim_id"]].append(e)
    first_pass = 0
    for claim_id in ids:
        sent = transmissions[claim_id]
        index = next(n for n, t in enumerate(sent) if t["status"] == "accepted")
        later = sent[index + 1:]
        ack = primary_acks[claim_id] if not later else []
        first_pass += bool(not later and ack and ack[0]["status"] == "A2")
    fpa = kpis["overall"]["first_pass_acceptance_rate"]
    assert (fpa["numerator"], fpa["denominator"]) == (first_pass, len(ids))
    assert 0.85 <= fpa["value"] < 1
    by_facility = defaultdict(list)
    for r in claims:
        by_facility[r["facility_code"]].append(r)
    for code, rows in by_facility.items():
        got = kpis["by_facility"][code]["initial_denial_rate"]
        assert got["denominator"] == sum(1 for r in rows if r["claim_id"] in first_adj)
    months = kpis["by_month"]
    assert sum(m["initial_denial_rate"]["numerator"] for m in months.values()) == denied


def _no_event_of(out: Path) -> dict[str, bool]:
    c837, c999 = _text(out / "x12_837"), _text(out / "x12_999")
    c277, c835 = _text(out / "x12_277"), _text(out / "x12_835")
    return {
        "999 rejection": "AK9*R" not in c999,
        "277CA rejection": not any(f"STC*{c}:" in c277 for c in ("A3", "A6", "A7", "A8")),
        "frequency 7/8": ":7*" not in c837 and ":8*" not in c837,
        "SBR*S": "\nSBR*S*" not in c837,
        "CLP02 22": "*22*-" not in c835,
        "PLB": "PLB*" not in c835,
    }


def test_skeleton_gives_the_issue_2_shape(skeleton: Path, full: Path) -> None:
    assert all(_no_event_of(skeleton).values()), _no_event_of(skeleton)
    assert not any(_no_event_of(full).values()), _no_event_of(full)
    claims = read_rows(skeleton / "truth" / "claims.csv")
    originals = [seg[1] for path in sorted((skeleton / "x12_837").glob("*.x12"))
                 for seg in segments(path) if seg[0] == "CLM"]
    assert sorted(originals) == sorted(r["claim_id"] for r in claims)
    clps = [s for p in (skeleton / "x12_835").glob("*.x12") for s in segments(p)
            if s[0] == "CLP"]
    assert len(clps) == len({s[1] for s in clps}) == sum(
        1 for r in claims if r["first_adjudication_date"])


def test_claims_are_priced_at_the_contract_rate_of_their_service_date(full: Path) -> None:
    changes = [
        r for r in read_rows(full / "truth" / "master_data_exceptions.csv")
        if r["exception_kind"] == "contract_rate_change"
    ]
    assert changes
    claims = read_rows(full / "truth" / "claims.csv")
    for change in changes:
        payer, service = change["key"].split("|")
        new_rate = Decimal(change["detail"].split()[3])
        mine = [c for c in claims if (c["payer_id"], c["service_code"]) == (payer, service)]
        after = [c for c in mine if c["service_date"] >= change["effective_date"]]
        before = [c for c in mine if c["service_date"] < change["effective_date"]]
        assert after and before
        assert new_rate in {Decimal(c["expected_reimbursement"]) for c in after}
        assert new_rate not in {Decimal(c["expected_reimbursement"]) for c in before}


def test_co_b7_denials_are_the_claims_of_uncredentialed_providers(full: Path,
                                                                  skeleton: Path) -> None:
    credentialed: dict[tuple[str, str], str] = {
        (r["provider_npi"], r["payer_id"]): r["credentialed_from"]
        for r in read_rows(full / "truth" / "provider_credentialing.csv")}
    provider = {r["visit_number"]: r["provider_npi"]
                for r in read_rows(full / "truth" / "appointments.csv")}
    first: dict[str, dict[str, str]] = {}
    b7_anywhere = set()
    for e in read_rows(full / "truth" / "claim_events.csv"):
        if e["event_type"] in ("adjudication", "reversal") and e["reason"] == "B7":
            b7_anywhere.add(e["claim_id"])
        if (e["event_type"] == "adjudication" and e["payer_responsibility"] == "P"
                and e["status"] in ("1", "4", "19")):
            first.setdefault(e["claim_id"], e)
    expected = set()
    for claim in read_rows(full / "truth" / "claims.csv"):
        since = credentialed.get((provider[claim["claim_id"]], claim["payer_id"]))
        if since is not None and (not since or since > claim["service_date"]):
            expected.add(claim["claim_id"])
    adjudicated = {c for c in expected if c in first}
    assert adjudicated, "no uncredentialed service was adjudicated in the window"
    for claim_id in adjudicated:
        assert (first[claim_id]["status"], first[claim_id]["reason"]) == ("4", "B7"), claim_id
    assert b7_anywhere == adjudicated
    truth = {r["claim_id"]: r for r in read_rows(full / "truth" / "claims.csv")}
    assert {c for c, r in truth.items() if r["first_denial_carc"] == "B7"} == adjudicated
    assert all(truth[c]["first_adjudication_denied"] == "true" for c in adjudicated)
    assert "CAS*CO*B7*" in _text(full / "x12_835")
    assert "CAS*CO*B7*" not in _text(skeleton / "x12_835")


def test_net_days_in_ar_recomputes_from_the_events_at_the_window_end(full: Path) -> None:
    claims = read_rows(full / "truth" / "claims.csv")
    unbilled = read_rows(full / "truth" / "unbilled_services.csv")
    events = read_rows(full / "truth" / "claim_events.csv")
    kpis = json.loads((full / "truth" / "kpis.json").read_text())
    end = date.fromisoformat(kpis["window_end"])
    got = kpis["claim_kpis"]["net_days_in_ar"]
    ids = {r["claim_id"] for r in claims}
    ar: dict[str, Decimal] = defaultdict(Decimal)
    npsr: dict[str, Decimal] = defaultdict(Decimal)
    for r in [*claims, *unbilled]:
        served = date.fromisoformat(r["service_date"])
        if served <= end:
            ar[r["facility_code"]] += Decimal(r["expected_reimbursement"])
            if (end - served).days < 90:
                npsr[r["facility_code"]] += Decimal(r["expected_reimbursement"])
    sign = {"payment": -1, "patient_payment": -1, "write_off": -1, "refund": 1}
    for e in events:
        if e["event_type"] in sign and e["claim_id"] in ids and e["event_date"] <= str(end):
            ar[e["facility_code"]] += sign[e["event_type"]] * Decimal(e["amount"])
    assert {e["status"] for e in events if e["event_type"] == "write_off"} >= {
        "denial", "charity"}  # bad debt needs 120 days after the statement

    def check(value: dict, net_ar: Decimal, revenue: Decimal) -> None:
        daily = revenue / 90
        assert value["period_end"] == str(end)
        assert value["numerator"] == pytest.approx(float(net_ar), abs=0.01)
        assert value["denominator"] == pytest.approx(float(daily), abs=0.01)
        assert value["value"] == pytest.approx(float(net_ar / daily), rel=1e-9)

    check(got["overall"], sum(ar.values(), Decimal("0")), sum(npsr.values(), Decimal("0")))
    assert set(got["by_facility"]) == set(ar)
    for code in ar:
        check(got["by_facility"][code], ar[code], npsr[code])
    assert got["by_month"][f"{end:%Y-%m}"] == got["overall"]
    assert all(date.fromisoformat(v["period_end"]) <= end for v in got["by_month"].values())
    assert 10 < got["overall"]["value"] < 120  # plausible: weeks of revenue outstanding


def test_co_b7_is_a_small_share_of_first_denials(clean_dataset: Path) -> None:
    """Most bookings with a provider not yet enrolled with the patient's plan are caught at
    the front desk (SchedulingParams.credential_screening): CO-B7 stays a few percent of the
    first denials (docs/simulator.md), not the third it was without screening."""
    claims = read_rows(clean_dataset / "truth" / "claims.csv")
    denied = [c for c in claims if c["first_adjudication_denied"] == "true"]
    b7 = [c for c in denied if c["first_denial_carc"] == "B7"]
    assert len(denied) > 200
    assert 0.01 * len(denied) < len(b7) <= 0.10 * len(denied)
