"""The embedded Tryton ledger: provisioning, posting, idempotency, read-back."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TIMINGS
from writeback_testdata import GL_ACCOUNTS, sample_feed, service_rendered

from writeback.erp.tryton import TrytonLedger
from writeback.journals import Journal, JournalLine, build_journals, plan_postings
from writeback.master_data import MasterData
from writeback.reconcile import compare, feed_totals

D = Decimal


def post_feed(ledger: TrytonLedger, rows: list[dict[str, Any]]) -> Any:
    planned = plan_postings(build_journals(rows), ledger.posted_business_keys())
    return planned, ledger.post_journals(planned)


def line_totals(journals: list[Journal]) -> dict[tuple[Any, ...], tuple[D, D]]:
    totals: dict[tuple[Any, ...], list[D]] = defaultdict(lambda: [D(0), D(0)])
    for journal in journals:
        for line in journal.lines:
            key = (journal.legal_entity_code, line.account_code, journal.period,
                   line.cost_center_code, line.party_code)
            totals[key][0] += line.debit
            totals[key][1] += line.credit
    return {k: (v[0], v[1]) for k, v in totals.items()}


def test_provision_creates_master_data_and_is_idempotent(
        ledger: TrytonLedger, master: MasterData) -> None:
    started = time.perf_counter()
    again = ledger.provision(master, years=[2025])
    TIMINGS["provision again (no change)"] = time.perf_counter() - started
    assert not again.changed, again.created

    def inspect(pool: Any) -> dict[str, Any]:
        Company = pool.get("company.company")
        Account = pool.get("account.account")
        Party = pool.get("party.party")
        Analytic = pool.get("analytic_account.account")
        FiscalYear = pool.get("account.fiscalyear")
        companies = {c.party.code: c.currency.code for c in Company.search([])}
        accounts = {
            (a.company.party.code, a.code): (a.type.name, a.type.receivable, a.party_required)
            for a in Account.search([("type", "!=", None)])}
        analytic = {
            (a.company.party.code, a.code, a.type, a.root.code if a.root else None)
            for a in Analytic.search([])}
        years = [(fy.company.party.code, fy.name, len(fy.periods),
                  fy.move_sequence.sequence_type.name) for fy in FiscalYear.search([])]
        return {"companies": companies, "accounts": accounts, "analytic": analytic,
                "parties": {p.code for p in Party.search([])}, "years": years}

    state = ledger.run(inspect, readonly=True)
    assert state["companies"] == {"LE-LE01": "USD", "LE-LE02": "USD"}
    assert len(state["accounts"]) == 2 * len(GL_ACCOUNTS) == 2 * 16
    assert state["accounts"][("LE-LE01", "1200")] == ("Receivable", True, True)
    assert state["accounts"][("LE-LE02", "1210")] == ("Receivable", True, True)
    assert state["accounts"][("LE-LE01", "4100")] == ("Contra revenue", False, False)
    assert state["accounts"][("LE-LE01", "1010")] == ("Cash", False, False)
    # intercompany accounts name the other company's party (decision 0034)
    assert state["accounts"][("LE-LE01", "1250")] == ("Receivable", True, True)
    assert state["accounts"][("LE-LE02", "2050")] == ("Liability", False, True)
    assert state["analytic"] == {
        ("LE-LE01", "CC", "root", None), ("LE-LE02", "CC", "root", None),
        ("LE-LE01", "CC01", "normal", "CC"), ("LE-LE01", "CC02", "normal", "CC"),
        ("LE-LE02", "CC03", "normal", "CC")}
    assert {"PAY-MCR", "PAY-AET", "PAY-UHC", "PATIENTS"} <= state["parties"]
    assert sorted(state["years"]) == [
        ("LE-LE01", "2025", 12, "Account Move"), ("LE-LE02", "2025", 12, "Account Move")]


def test_post_read_back_and_reconcile(ledger: TrytonLedger) -> None:
    rows = sample_feed()
    planned, report = post_feed(ledger, rows)
    assert report.ok, report.failed
    assert sorted(report.created) == sorted(j.idempotency_key for j in planned)
    assert len(planned) == 5

    balances = ledger.read_balances()
    got = {(b.legal_entity_code, b.account_code, b.period, b.cost_center_code, b.party_code):
           (b.debit, b.credit) for b in balances}
    assert got == line_totals(build_journals(rows))
    # spot-check real numbers
    assert got[("LE01", "4000", "2025-01", "CC01", None)] == (D("0.00"), D("400.00"))
    assert got[("LE01", "1200", "2025-02", None, "PAY-AET")] == (D("0.00"), D("250.00"))
    assert got[("LE02", "1210", "2025-02", None, "PATIENTS")] == (D("20.00"), D("0.00"))
    assert compare(feed_totals(rows), balances) == []

    moves = ledger.moves()
    assert len(moves) == 5
    for move in moves:
        assert move["state"] == "posted"
        assert move["number"]
        assert move["debit"] == move["credit"] > 0
        key = move["hcops_key"]
        assert move["description"] == f"{key.split('/')[2]} {key}"
        assert "ev" not in move["description"] and "fl" not in move["description"]


def test_lines_carry_party_and_cost_center(ledger: TrytonLedger) -> None:
    post_feed(ledger, sample_feed())

    def lines(pool: Any) -> list[tuple[str, str | None, list[tuple[str, dt.date]]]]:
        Line = pool.get("account.move.line")
        return [(line.account.code, line.party.code if line.party else None,
                 [(a.account.code, a.date) for a in line.analytic_lines])
                for line in Line.search([])]

    for account, party, analytic in ledger.run(lines, readonly=True):
        if account in {"1200", "1210"}:
            assert party, account
        else:
            assert party is None, account
        if account in {"4000", "4100", "4200"}:
            assert len(analytic) == 1 and analytic[0][0].startswith("CC"), account
            assert analytic[0][1].year == 2025
        else:
            assert analytic == [], account


def test_replay_creates_nothing_and_delta_posts_next_version(ledger: TrytonLedger) -> None:
    planned, first = post_feed(ledger, sample_feed())
    assert len(first.created) == 5

    again = ledger.post_journals(planned)  # the very same versioned journals
    assert again.created == [] and sorted(again.skipped) == sorted(first.created)
    assert plan_postings(build_journals(sample_feed()), ledger.posted_business_keys()) == []
    assert len(ledger.moves()) == 5

    rows = sample_feed() + service_rendered(
        8, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-UHC", "40.00", "10.00")
    delta, report = post_feed(ledger, rows)
    assert [j.idempotency_key for j in delta] == ["LE01/FAC01/service_rendered/2025-01-06#v2"]
    assert report.created == ["LE01/FAC01/service_rendered/2025-01-06#v2"]
    assert len(ledger.moves()) == 6
    assert compare(feed_totals(rows), ledger.read_balances()) == []
    posted = ledger.posted_business_keys()
    assert posted.versions["LE01/FAC01/service_rendered/2025-01-06"] == 2
    assert posted["LE01/FAC01/service_rendered/2025-01-06"][("1200", "PAY-UHC", None)] == D(
        "40.00")


def test_erp_rejects_duplicate_key(ledger: TrytonLedger) -> None:
    post_feed(ledger, sample_feed())
    key = "LE01/FAC01/service_rendered/2025-01-06#v1"

    def duplicate_via_orm(pool: Any) -> None:
        Move = pool.get("account.move")
        (original,) = Move.search([("hcops_key", "=", key)])
        Move.create([{
            "company": original.company.id, "journal": original.journal.id,
            "period": original.period.id, "date": original.date, "hcops_key": key}])

    with pytest.raises(Exception, match="(?i)unique"):
        ledger.run(duplicate_via_orm)

    connection = sqlite3.connect(ledger.database_path)
    try:
        company, journal, period, date = connection.execute(
            "SELECT company, journal, period, date FROM account_move WHERE hcops_key = ?",
            (key,)).fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="(?i)unique"):
            connection.execute(
                "INSERT INTO account_move (company, journal, period, date, state, hcops_key)"
                " VALUES (?, ?, ?, ?, 'draft', ?)", (company, journal, period, date, key))
        # the same key in the other company is a different journal: allowed
        other = connection.execute(
            "SELECT id FROM company_company WHERE id != ?", (company,)).fetchone()[0]
        connection.execute("SAVEPOINT s")
        connection.execute(
            "INSERT INTO account_move (company, journal, period, date, state, hcops_key)"
            " VALUES (?, ?, ?, ?, 'draft', ?)", (other, journal, period, date, key))
        connection.execute("ROLLBACK TO s")
    finally:
        connection.close()
    assert len(ledger.moves()) == 5


def test_unbalanced_and_invalid_journals_fail_without_partial_writes(
        ledger: TrytonLedger) -> None:
    good = plan_postings(build_journals(sample_feed()), {})
    unbalanced = Journal("LE01", "FAC01", "remittance", dt.date(2025, 3, 1), (
        JournalLine("1010", None, None, D("10.00"), D("0")),
        JournalLine("1200", "PAY-MCR", None, D("0"), D("9.99"))), version=1)
    bad_cc = Journal("LE02", "FAC03", "service_rendered", dt.date(2025, 3, 1), (
        JournalLine("1200", "PAY-MCR", None, D("5.00"), D("0")),
        JournalLine("4000", None, "CC01", D("0"), D("5.00"))), version=1)  # CC01 is LE01's
    report = ledger.post_journals([*good, unbalanced, bad_cc])
    assert sorted(report.created) == sorted(j.idempotency_key for j in good)
    reasons = {f.idempotency_key: f.reason for f in report.failed}
    assert reasons[unbalanced.idempotency_key].startswith("UnbalancedJournal")
    assert reasons[bad_cc.idempotency_key].startswith("UnknownCostCenter")

    # The module guards the balance itself (SQLite trytond does not) and a failing batch
    # leaves nothing behind, not even the good moves of the same batch.
    ids = ledger.run(ledger._ids, readonly=True)
    extra = plan_postings(build_journals(service_rendered(
        9, "2025-03-02", "LE01", "FAC02", "CC02", "PAY-MCR", "10.00", "1.00")), {})
    items = [ledger._preflight(extra[0], ids),
             {**ledger._preflight(extra[0], ids), "hcops_key": "X/Y/z/2025-03-02#v1"}]
    items[1]["lines"][0] = {**items[1]["lines"][0], "debit": D("10.01")}

    def post_raw(pool: Any) -> Any:
        return pool.get("account.move").hcops_post_batch(items)

    with pytest.raises(Exception, match="not balanced"):
        ledger.run(post_raw)
    assert len(ledger.moves()) == len(good)


@pytest.fixture
def cache_sync_every_transaction() -> Any:
    from trytond import config

    saved = config.get("cache", "clean_timeout")
    config.set("cache", "clean_timeout", "0")
    yield
    config.set("cache", "clean_timeout", saved)


@pytest.mark.usefixtures("cache_sync_every_transaction")
def test_failed_unit_of_work_rolls_back_even_when_cache_sync_runs(
        ledger: TrytonLedger) -> None:
    """trytond's Cache.sync flips the SQLite connection to autocommit; the runtime undoes it."""
    ids = ledger.run(ledger._ids, readonly=True)
    items = [ledger._preflight(j, ids)
             for j in plan_postings(build_journals(sample_feed()), {})]

    def post_then_fail(pool: Any) -> None:
        result = pool.get("account.move").hcops_post_batch(items)
        assert len(result["created"]) == 5
        raise RuntimeError("boom after the moves were written")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="boom"):
            ledger.run(post_then_fail)
    assert ledger.moves() == []


def test_two_ledgers_in_one_process_stay_separate(
        template_ledger: TrytonLedger, tmp_path: Path) -> None:
    first = TrytonLedger.clone(template_ledger, tmp_path / "a")
    second = TrytonLedger.clone(template_ledger, tmp_path / "b")
    assert first.dbname != second.dbname
    post_feed(first, sample_feed())
    assert len(first.moves()) == 5 and second.moves() == []
    assert second.read_balances() == []
    post_feed(second, sample_feed()[:4])
    assert len(second.moves()) == 1 and len(first.moves()) == 5
    reopened = TrytonLedger(tmp_path / "a")
    assert reopened.dbname == first.dbname and len(reopened.moves()) == 5
    for ledger in (first, second, template_ledger):
        assert list(ledger.erp_dir.glob("*.sqlite")) == [ledger.database_path]
        assert ledger.password_file.stat().st_mode & 0o077 == 0


def test_post_many_moves(ledger: TrytonLedger) -> None:
    rows: list[dict[str, Any]] = []
    start = dt.date(2025, 1, 1)
    for n in range(120):
        day = (start + dt.timedelta(days=n % 365)).isoformat()
        entity, facility, cc = (("LE01", "FAC01", "CC01"), ("LE01", "FAC02", "CC02"),
                                ("LE02", "FAC03", "CC03"))[n % 3]
        rows += service_rendered(n, day, entity, facility, cc, "PAY-MCR",
                                 f"{100 + n}.25", f"{n % 50}.10")
    journals = plan_postings(build_journals(rows), {})
    started = time.perf_counter()
    report = ledger.post_journals(journals)
    elapsed = time.perf_counter() - started
    TIMINGS[f"post {len(journals)} moves"] = elapsed
    assert report.ok and len(report.created) == len(journals) == 120
    assert compare(feed_totals(rows), ledger.read_balances()) == []
    assert all(m["state"] == "posted" and m["debit"] == m["credit"] for m in ledger.moves())
