"""Independent check: the ERP's posted moves replayed into beancount, asserted against the
feed's totals with beancount's own ``balance`` directives."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from beancount import loader as beancount_loader
from writeback_testdata import sample_feed, service_rendered

from writeback.erp.tryton import TrytonLedger
from writeback.journals import build_journals, plan_postings
from writeback.reconcile import feed_totals

ROOTS = {"1": "Assets", "4": "Income"}


def account_name(entity: str, code: str) -> str:
    return f"{ROOTS[code[0]]}:{entity}:A{code}"


def to_beancount(ledger: TrytonLedger, expected: dict[tuple[str, str], Decimal]) -> str:
    rows = ledger.run(lambda pool: ledger._posted_lines(pool), readonly=True)
    moves: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        moves[row["key"]].append(row)
    accounts = {(r["entity"], r["account"]) for r in rows} | set(expected)
    out = [f"2000-01-01 open {account_name(*a)} USD" for a in sorted(accounts)]
    for key, lines in sorted(moves.items()):
        out.append(f'{lines[0]["date"].isoformat()} * "{key}"')
        for line in lines:
            out.append(f"  {account_name(line['entity'], line['account'])}  "
                       f"{line['debit'] - line['credit']} USD")
    for (entity, code), net in sorted(expected.items()):
        out.append(f"2026-01-01 balance {account_name(entity, code)}  {net} ~ 0.001 USD")
    return "\n".join(out) + "\n"


def test_beancount_agrees_with_the_feed(ledger: TrytonLedger) -> None:
    rows = sample_feed() + service_rendered(
        8, "2025-03-03", "LE02", "FAC03", "CC03", "PAY-AET", "75.00", "12.34")
    report = ledger.post_journals(plan_postings(build_journals(rows), {}))
    assert report.ok and len(report.created) == 6
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for total in feed_totals(rows):
        expected[(total.legal_entity_code, total.account_code)] += total.net

    entries, errors, _ = beancount_loader.load_string(to_beancount(ledger, expected))
    assert errors == [], [e.message for e in errors]
    assert sum(1 for e in entries if type(e).__name__ == "Transaction") == 6
    assert sum(1 for e in entries if type(e).__name__ == "Balance") == len(expected)

    # and the oracle does catch a wrong expectation
    wrong = dict(expected)
    wrong[("LE01", "4000")] -= Decimal("0.01")
    _, errors, _ = beancount_loader.load_string(to_beancount(ledger, wrong))
    assert [e.message for e in errors if "Balance failed" in e.message], errors
