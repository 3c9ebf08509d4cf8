"""Remark codes (RARC) in the simulated 835s (decision 0032): MOA03.. on claims, LQ*HE on
lines, each paired with the CARC it explains (simulator.claims.params), and the same codes in
the truth (claim_events.csv `remark_codes`). pyx12 validates the 835s in
test_sim_claims_lifecycle.py; determinism in test_sim_determinism.py."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from simtest_x12 import transactions

from simulator.claims.params import (
    PROCESSED_CLAIM_REMARKS,
    REMARKS_BY_CARC,
    UNDERPAID_LINE_REMARKS,
)


def _clps(dataset: Path) -> list[tuple[list[str], list[list[str]]]]:
    """(CLP, its segments up to the next CLP / PLB / SE) of every simulated 835."""
    found: list[tuple[list[str], list[list[str]]]] = []
    for path in sorted((dataset / "x12_835").glob("*.x12")):
        for txn in transactions(path):
            body: list[list[str]] | None = None  # the open CLP's segments
            for seg in txn:
                if seg[0] == "CLP":
                    body = []
                    found.append((seg, body))
                elif seg[0] in ("PLB", "SE"):
                    break
                elif body is not None:
                    body.append(seg)
    return found


def _file_codes(dataset: Path) -> Counter[tuple[str, str]]:
    codes: Counter[tuple[str, str]] = Counter()
    for clp, body in _clps(dataset):
        for seg in body:
            if seg[0] == "MOA":
                codes.update((clp[1], c) for c in seg[3:8] if c)
            elif seg[0] == "LQ" and seg[1] == "HE":
                codes[(clp[1], seg[2])] += 1
    return codes


def test_835_remark_codes_are_the_truth(clean_dataset: Path) -> None:
    truth: Counter[tuple[str, str]] = Counter()
    with (clean_dataset / "truth" / "claim_events.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["event_type"] in ("adjudication", "reversal") and row["remark_codes"]:
                truth.update((row["claim_id"], c) for c in row["remark_codes"].split(","))
    in_files = _file_codes(clean_dataset)
    assert in_files == truth
    by_code = Counter(code for _, code in truth.elements())
    assert set(by_code) == {"MA01", "MA130", "M62", "N130", "N290", "N381"}, by_code


def test_each_remark_code_explains_a_carc_of_its_loop(clean_dataset: Path) -> None:
    """An LQ follows the SVC whose CAS has the CARC it pairs with (N381: an underpaid CO-45
    line); an MOA code pairs with a claim-level CAS, else is the payer type's alert (MA01)."""
    alerts = {c for codes in PROCESSED_CLAIM_REMARKS.values() for c in codes}
    checked = Counter()
    for clp, body in _clps(clean_dataset):
        claim_carcs: set[str] = set()
        line_carcs: set[str] = set()
        in_line = False
        for seg in body:
            if seg[0] == "SVC":
                in_line, line_carcs = True, set()
            elif seg[0] == "CAS":
                (line_carcs if in_line else claim_carcs).update(seg[2::3])
            elif seg[0] == "LQ":
                code = seg[2]
                pairs = {c for c in line_carcs for c in REMARKS_BY_CARC.get(c, ())}
                assert code in pairs or (code in UNDERPAID_LINE_REMARKS and "45" in line_carcs)
                checked["line"] += 1
            elif seg[0] == "MOA":
                pairs = {c for c in claim_carcs for c in REMARKS_BY_CARC.get(c, ())}
                for code in filter(None, seg[3:8]):
                    assert code in pairs or (code in alerts and clp[2] in ("1", "22")), clp
                    checked["claim"] += 1
    assert checked["line"] > 10 and checked["claim"] > 10, checked
