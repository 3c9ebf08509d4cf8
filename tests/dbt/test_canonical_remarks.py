"""Remark codes (RARC) end to end (decision 0032): the simulator's 835s carry them (MOA on the
claim, LQ*HE on the line), ingest lands them, int_remittance_remarks has one row per code with
its seed description; counts equal the truth's (truth/claim_events.csv `remark_codes` of each
adjudication and reversal). Exact: every CLP lands once (duplicates dedupe on their keys)."""

from __future__ import annotations

import csv
from collections import Counter

from dbt_network import Network


def _truth_counts(network: Network) -> Counter[tuple[str, str]]:
    """(payer id, remark code) -> occurrences in the simulated 835 CLPs."""
    counts: Counter[tuple[str, str]] = Counter()
    with (network.truth_dir / "claim_events.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["event_type"] in ("adjudication", "reversal") and row["remark_codes"]:
                counts.update((row["payer_id"], code) for code in row["remark_codes"].split(","))
    return counts


def test_remark_counts_by_payer_and_code_equal_truth(default_network: Network) -> None:
    truth = _truth_counts(default_network)
    assert sum(truth.values()) > 50 and len({code for _, code in truth}) >= 4  # not vacuous
    landed = Counter({
        (payer, code): n for payer, code, n in default_network.rows(
            "select payer_id, remark_code, count(*) from intermediate.int_remittance_remarks "
            "group by payer_id, remark_code")
    })
    assert landed == truth


def test_remarks_carry_their_seed_description_and_level(default_network: Network) -> None:
    rows = default_network.rows(
        "select remark_code, remark_level, bool_and(is_known_remark_code), "
        "count(remark_description) = count(*), count(*) from intermediate.int_remittance_remarks "
        "group by remark_code, remark_level order by remark_code, remark_level")
    assert all(known and described for _, _, known, described, _ in rows), rows
    levels: dict[str, set[str]] = {}
    for code, level, *_ in rows:
        levels.setdefault(code, set()).add(level)
    # MA01 (appeal rights) is an MOA alert; N381 (underpaid line) an LQ of the line
    assert levels["MA01"] == {"claim"} and levels["N381"] == {"line"}


def test_line_and_claim_lists_split_into_the_remark_rows(default_network: Network) -> None:
    """The comma-separated lists of the canonical lines and claims hold exactly the rows."""
    listed = default_network.rows(
        "select sum(length(remark_codes) - length(replace(remark_codes, ',', '')) + 1) "
        "from intermediate.int_remittance_lines_matched where remark_codes is not null "
        "union all "
        "select sum(length(remark_codes) - length(replace(remark_codes, ',', '')) + 1) "
        "from intermediate.int_remittance_claims_classified where remark_codes is not null")
    by_level = dict(default_network.rows(
        "select remark_level, count(*) from intermediate.int_remittance_remarks "
        "group by remark_level order by remark_level"))
    assert [n for (n,) in listed] == [by_level["line"], by_level["claim"]]
