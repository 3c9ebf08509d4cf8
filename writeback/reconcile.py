"""Reconcile the journal feed with what the ERP holds (DESIGN §5 read-back).

Compared by legal entity × account × period (YYYY-MM) × cost center on the net amount
(debit − credit): journals net lines within a journal, so gross debit and credit totals of
the feed and of the ledger legitimately differ while the nets agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from writeback.erp.base import LedgerBalance
from writeback.journals import ZERO, Journal, to_amount, to_date

#: (legal_entity_code, account_code, period, cost_center_code)
TotalKey = tuple[str, str, str, str | None]


@dataclass(frozen=True, slots=True)
class FeedTotal:
    legal_entity_code: str
    account_code: str
    period: str
    cost_center_code: str | None
    net: Decimal

    @property
    def key(self) -> TotalKey:
        return (self.legal_entity_code, self.account_code, self.period, self.cost_center_code)


@dataclass(frozen=True, slots=True)
class Break:
    legal_entity_code: str
    account_code: str
    period: str
    cost_center_code: str | None
    feed_net: Decimal
    ledger_net: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger_net - self.feed_net


def _opt(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None


def feed_totals(feed_rows: Iterable[Mapping[str, Any]]) -> list[FeedTotal]:
    """Net per legal entity × account × period × cost center of journal-feed rows."""
    sums: dict[TotalKey, Decimal] = {}
    for row in feed_rows:
        key = (str(row["legal_entity_code"]), str(row["account_code"]),
               to_date(row["journal_date"]).strftime("%Y-%m"), _opt(row.get("cost_center_code")))
        sums[key] = sums.get(key, ZERO) + to_amount(row.get("debit")) - to_amount(
            row.get("credit"))
    return [FeedTotal(*key, net=net) for key, net in sorted(sums.items(), key=_sort)]


def journal_totals(journals: Iterable[Journal]) -> list[FeedTotal]:
    """The same totals from (desired, not delta) journals."""
    sums: dict[TotalKey, Decimal] = {}
    for journal in journals:
        for line in journal.lines:
            key = (journal.legal_entity_code, line.account_code, journal.period,
                   line.cost_center_code)
            sums[key] = sums.get(key, ZERO) + line.net
    return [FeedTotal(*key, net=net) for key, net in sorted(sums.items(), key=_sort)]


def _sort(item: tuple[TotalKey, Decimal]) -> tuple[str, ...]:
    return tuple(x or "" for x in item[0])


def compare(
    feed: Iterable[FeedTotal], ledger_balances: Iterable[LedgerBalance]
) -> list[Break]:
    """Breaks where the feed's net and the ledger's net differ (by a cent or more)."""
    expected: dict[TotalKey, Decimal] = {}
    for total in feed:
        expected[total.key] = expected.get(total.key, ZERO) + total.net
    actual: dict[TotalKey, Decimal] = {}
    for balance in ledger_balances:
        key = (balance.legal_entity_code, balance.account_code, balance.period,
               balance.cost_center_code)
        actual[key] = actual.get(key, ZERO) + balance.net
    breaks = []
    for key in sorted(set(expected) | set(actual), key=lambda k: tuple(x or "" for x in k)):
        feed_net, ledger_net = expected.get(key, ZERO), actual.get(key, ZERO)
        if feed_net != ledger_net:
            breaks.append(Break(*key, feed_net=feed_net, ledger_net=ledger_net))
    return breaks
