from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from writeback_testdata import feed_line, remittance, sample_feed, service_rendered

from writeback.journals import (
    Journal,
    JournalLine,
    MissingParty,
    PostedJournals,
    UnbalancedJournal,
    UnknownAccount,
    UnknownCostCenter,
    build_journals,
    check_journal,
    plan_postings,
    split_idempotency_key,
)

D = Decimal


def sides(journal: Journal) -> dict[tuple[str, str | None, str | None], tuple[D, D]]:
    return {line.key: (line.debit, line.credit) for line in journal.lines}


def test_service_rendered_accounts_and_sides() -> None:
    rows = service_rendered(1, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-MCR",
                            "150.00", "60.00")
    rows += service_rendered(2, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-AET",
                             "250.00", "75.50")
    (journal,) = build_journals(rows)
    assert journal.business_key == "LE01/FAC01/service_rendered/2025-01-06"
    assert sides(journal) == {
        ("1200", "PAY-AET", None): (D("250.00"), D("0.00")),
        ("1200", "PAY-MCR", None): (D("150.00"), D("0.00")),
        ("4000", None, "CC01"): (D("0.00"), D("400.00")),
        ("4100", None, "CC01"): (D("135.50"), D("0.00")),
        ("1290", None, None): (D("0.00"), D("135.50")),
    }
    assert journal.total_debit == journal.total_credit == D("535.50")


def test_remittance_accounts_and_sides_with_negative_true_up() -> None:
    rows = remittance(6, "2025-02-03", "LE01", "FAC01", "CC01", "PAY-AET",
                      "150.00", "70.00", "-5.50", "30.00")
    (journal,) = build_journals(rows)
    assert journal.event_type == "remittance"
    assert sides(journal) == {
        ("1010", None, None): (D("150.00"), D("0.00")),
        ("1200", "PAY-AET", None): (D("0.00"), D("250.00")),
        ("1290", None, None): (D("75.50"), D("0.00")),
        ("4100", None, "CC01"): (D("0.00"), D("5.50")),
        ("1210", "PATIENTS", None): (D("30.00"), D("0.00")),
    }
    assert journal.total_debit == journal.total_credit == D("255.50")


def test_grouping_per_entity_facility_event_and_date() -> None:
    journals = build_journals(sample_feed())
    assert [j.business_key for j in journals] == [
        "LE01/FAC01/remittance/2025-02-03",
        "LE01/FAC01/service_rendered/2025-01-06",
        "LE01/FAC02/service_rendered/2025-01-07",
        "LE02/FAC03/remittance/2025-02-10",
        "LE02/FAC03/service_rendered/2025-01-31",
    ]
    for journal in journals:
        assert journal.total_debit == journal.total_credit > 0
        assert all((line.debit == 0) != (line.credit == 0) for line in journal.lines)


def test_unbalanced_feed_raises() -> None:
    rows = service_rendered(1, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-MCR",
                            "150.00", "60.00")
    rows.append(feed_line(99, "service_rendered", "2025-01-06", "LE01", "FAC01", "1010",
                          debit="0.01"))
    with pytest.raises(UnbalancedJournal, match="LE01/FAC01/service_rendered/2025-01-06"):
        build_journals(rows)


def test_preflight_named_errors() -> None:
    (journal,) = build_journals(service_rendered(
        1, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-MCR", "150.00", "60.00"))
    accounts = {"1200": True, "4000": False, "4100": False, "1290": False}
    check_journal(journal, accounts=accounts, parties={"PAY-MCR"}, cost_centers={"CC01"})
    with pytest.raises(UnknownAccount):
        check_journal(journal, accounts={k: v for k, v in accounts.items() if k != "4100"})
    with pytest.raises(UnknownCostCenter):
        check_journal(journal, cost_centers={"CC02"})
    no_party = Journal("LE01", "FAC01", "remittance", dt.date(2025, 1, 6), (
        JournalLine("1200", None, None, D("0"), D("5")),
        JournalLine("1010", None, None, D("5"), D("0"))))
    with pytest.raises(MissingParty):
        check_journal(no_party, accounts={"1200": True, "1010": False})
    lopsided = Journal("LE01", "FAC01", "remittance", dt.date(2025, 1, 6), (
        JournalLine("1010", None, None, D("5"), D("0")),))
    with pytest.raises(UnbalancedJournal):
        check_journal(lopsided)


def _posted(journals: list[Journal]) -> PostedJournals:
    return PostedJournals({j.business_key: j.nets() for j in journals},
                          versions={j.business_key: 1 for j in journals})


def test_plan_postings_first_time_then_nothing_when_unchanged() -> None:
    journals = build_journals(sample_feed())
    first = plan_postings(journals, PostedJournals())
    assert [j.idempotency_key for j in first] == [f"{j.business_key}#v1" for j in journals]
    assert [j.lines for j in first] == [j.lines for j in journals]
    assert plan_postings(journals, _posted(journals)) == []


def test_plan_postings_returns_exactly_the_delta() -> None:
    before = build_journals(sample_feed())
    extra = service_rendered(8, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-UHC",
                             "40.00", "10.00")
    after = build_journals(sample_feed() + extra)
    (delta,) = plan_postings(after, _posted(before))
    assert delta.idempotency_key == "LE01/FAC01/service_rendered/2025-01-06#v2"
    assert sides(delta) == {
        ("1200", "PAY-UHC", None): (D("40.00"), D("0.00")),
        ("4000", None, "CC01"): (D("0.00"), D("40.00")),
        ("4100", None, "CC01"): (D("10.00"), D("0.00")),
        ("1290", None, None): (D("0.00"), D("10.00")),
    }
    assert delta.total_debit == delta.total_credit


def test_plan_postings_changed_amount_and_reversal_of_missing_key() -> None:
    before = build_journals(sample_feed())
    posted = _posted(before)
    posted.versions["LE02/FAC03/service_rendered/2025-01-31"] = 3
    rows = [r for r in sample_feed() if r["journal_date"] != "2025-02-10"]
    for row in rows:  # LE02 charge 300 → 310, allowance unchanged
        if row["journal_date"] == "2025-01-31" and row["account_code"] in {"1200", "4000"}:
            row["debit" if row["account_code"] == "1200" else "credit"] = D("310.00")
    planned = {j.business_key: j for j in plan_postings(
        build_journals(rows), posted, reverse_missing=True)}
    assert set(planned) == {"LE02/FAC03/service_rendered/2025-01-31",
                            "LE02/FAC03/remittance/2025-02-10"}
    change = planned["LE02/FAC03/service_rendered/2025-01-31"]
    assert change.version == 4
    assert sides(change) == {("1200", "PAY-MCR", None): (D("10.00"), D("0.00")),
                             ("4000", None, "CC03"): (D("0.00"), D("10.00"))}
    reversal = planned["LE02/FAC03/remittance/2025-02-10"]
    assert reversal.version == 2
    assert reversal.nets() == {k: -v for k, v in posted[reversal.business_key].items()}


def test_plan_postings_refuses_to_guess_a_version() -> None:
    journals = build_journals(sample_feed())
    posted = {j.business_key: {} for j in journals}
    with pytest.raises(ValueError, match="version"):
        plan_postings(journals, posted)


def test_split_idempotency_key() -> None:
    assert split_idempotency_key("LE01/FAC01/remittance/2025-02-03#v12") == (
        "LE01/FAC01/remittance/2025-02-03", 12)
