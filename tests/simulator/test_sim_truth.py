"""The truth agrees with the files, and kpis.json with an independent recomputation."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from simtest_x12 import segments, transactions

from simulator.truth import compute_kpis, read_rows


@pytest.fixture(scope="module")
def out(skeleton_dataset: Path) -> Path:
    """The issue-2 invariants between files and truth hold on the skeleton shape; the full
    lifecycle's (resubmissions, PLB, COB) are in test_sim_claims_lifecycle.py."""
    return skeleton_dataset


@pytest.fixture(scope="module")
def claims(out: Path) -> list[dict[str, str]]:
    return read_rows(out / "truth" / "claims.csv")


def test_default_generation_is_sized(default_dataset: tuple) -> None:
    # its speed is measured by `make bench-generate` (docs/benchmarks.md), not asserted here
    _, summary, _ = default_dataset
    assert summary.appointments > 3000 and summary.claims > 2000 and summary.remits > 1000
    assert summary.files_by_folder["truth"] >= 5  # claims, appointments, kpis, scheduling


def test_original_claims_in_837s_are_the_truth_claims(out: Path, claims: list) -> None:
    originals = [seg[1] for path in sorted((out / "x12_837").glob("*.x12"))
                 for seg in segments(path) if seg[0] == "CLM" and seg[5].split(":")[2] == "1"]
    assert len(originals) == len(claims)
    assert set(originals) == {r["claim_id"] for r in claims}


def test_submission_date_is_the_bht04_of_the_837(out: Path, claims: list) -> None:
    submitted = {}
    for path in (out / "x12_837").glob("*.x12"):
        bht04 = ""
        for seg in segments(path):
            if seg[0] == "BHT":
                bht04 = seg[4]
            elif seg[0] == "CLM":
                submitted[seg[1]] = date(int(bht04[:4]), int(bht04[4:6]), int(bht04[6:]))
    assert all(submitted[r["claim_id"]].isoformat() == r["submission_date"] for r in claims)


def test_bpr02_is_the_sum_of_clp04_in_every_835(out: Path) -> None:
    checked = 0
    for path in sorted((out / "x12_835").glob("*.x12")):
        for st in transactions(path):
            bpr = next(s for s in st if s[0] == "BPR")
            paid = sum((Decimal(s[4]) for s in st if s[0] == "CLP"), Decimal("0"))
            assert Decimal(bpr[2]) == paid, path.name
            checked += 1
    assert checked > 0


def _first_adjudications(out: Path) -> dict[str, tuple[str, str, Decimal]]:
    """claim id -> (DTM*405, CLP02, CLP04) of its first 835 CLP."""
    found: dict[str, tuple[str, str, Decimal]] = {}
    for path in sorted((out / "x12_835").glob("*.x12")):
        for st in transactions(path):
            production = next(s[2] for s in st if s[0] == "DTM" and s[1] == "405")
            for s in st:
                if s[0] == "CLP" and (s[1] not in found or production < found[s[1]][0]):
                    found[s[1]] = (production, s[2], Decimal(s[4]))
    return found


def test_first_adjudications_match_the_truth(out: Path, claims: list) -> None:
    first = _first_adjudications(out)
    truth = {r["claim_id"]: r for r in claims if r["first_adjudication_date"]}
    assert set(first) == set(truth)
    denied = [c for c, (_, status, _) in first.items() if status == "4"]
    assert len(denied) == sum(r["first_adjudication_denied"] == "true" for r in claims)
    assert all(first[c][1] == "4" for c in truth if truth[c]["first_adjudication_denied"] == "true")
    for claim_id, (production, _, paid) in first.items():
        assert truth[claim_id]["first_adjudication_date"].replace("-", "") == production
        assert Decimal(truth[claim_id]["paid_amount"]) == paid


def test_kpis_match_an_independent_recomputation(out: Path, claims: list) -> None:
    kpis = json.loads((out / "truth" / "kpis.json").read_text())

    def days(a: str, b: str) -> int:
        return (date.fromisoformat(b) - date.fromisoformat(a)).days

    def expected(rows: list[dict[str, str]]) -> dict[str, float | int]:
        adjudicated = [r for r in rows if r["first_adjudication_date"]]
        denied = sum(r["first_adjudication_denied"] == "true" for r in adjudicated)
        paid = [r for r in rows if r["first_payment_date"]]
        return {
            "claim_cycle_time_median_days": statistics.median(
                days(r["submission_date"], r["first_adjudication_date"]) for r in adjudicated),
            "initial_denial_rate": denied / len(adjudicated),
            "initial_denial_rate_numerator": denied,
            "initial_denial_rate_denominator": len(adjudicated),
            "scheduling_to_revenue_lag_median_days": statistics.median(
                days(r["booked_date"], r["first_payment_date"]) for r in paid),
        }

    def check(actual: dict, rows: list[dict[str, str]]) -> None:
        for key, value in expected(rows).items():
            assert actual[key] == pytest.approx(value), key

    check(kpis, claims)
    facilities = defaultdict(list)
    for row in claims:
        facilities[row["facility_code"]].append(row)
    assert set(kpis["by_facility"]) == set(facilities)
    for code, rows in facilities.items():
        check(kpis["by_facility"][code], rows)
    assert 0.05 <= kpis["initial_denial_rate"] <= 0.12


def test_compute_kpis_uses_the_mean_of_the_two_middle_values() -> None:
    def row(facility: str, submitted: str, adjudicated: str, denied: str) -> dict[str, str]:
        return {"facility_code": facility, "submission_date": submitted, "booked_date":
                "2026-01-01", "first_adjudication_date": adjudicated,
                "first_adjudication_denied": denied,
                "first_payment_date": adjudicated if denied == "false" else ""}

    rows = [row("A", "2026-01-10", "2026-01-20", "false"),
            row("A", "2026-01-10", "2026-01-25", "true"),
            row("B", "2026-01-10", "2026-01-30", "false"),
            row("B", "2026-01-10", "", "")]
    kpis = compute_kpis(rows)
    assert kpis["claim_cycle_time_median_days"] == 15.0
    assert kpis["initial_denial_rate_numerator"] == 1
    assert kpis["initial_denial_rate_denominator"] == 3
    assert kpis["scheduling_to_revenue_lag_median_days"] == 24.0
    assert kpis["by_facility"]["A"]["claim_cycle_time_median_days"] == 12.5
    assert kpis["by_facility"]["B"]["initial_denial_rate"] == 0.0


def test_appointment_truth_matches_the_last_siu_event(out: Path) -> None:
    last: dict[str, str] = {}
    for path in sorted((out / "hl7_siu").glob("*.hl7")):
        for message in path.read_bytes().decode().split("\n"):
            if message:
                fields = {s.split("|")[0]: s.split("|") for s in message.split("\r") if s}
                last[fields["SCH"][2]] = fields["MSH"][8].split("^")[1]
    status = {"S14": "completed", "S15": "cancelled", "S26": "no_show"}
    appointments = read_rows(out / "truth" / "appointments.csv")
    assert {a["appointment_id"]: a["final_status"] for a in appointments
            if a["channel"] == "hl7"} == {
        k: status[v] for k, v in last.items()}


def test_scheduling_is_realistic(out: Path) -> None:
    appointments = read_rows(out / "truth" / "appointments.csv")
    outcomes = Counter(a["final_status"] for a in appointments)
    assert 0.07 <= outcomes["cancelled"] / len(appointments) <= 0.13
    attended = outcomes["completed"] + outcomes["no_show"]
    assert 0.07 <= outcomes["no_show"] / attended <= 0.13
    per_day = Counter((a["facility_code"], a["service_start"][:10]) for a in appointments)
    weekday = [n for (_, day), n in per_day.items() if date.fromisoformat(day).weekday() < 5]
    assert 15 <= statistics.mean(weekday) <= 40
    leads = [(date.fromisoformat(a["service_start"][:10])
              - date.fromisoformat(a["booked_at"][:10])).days for a in appointments]
    assert max(leads) <= 30 + 7 and statistics.median(leads) >= 1
