"""Summarized journals from the journal feed, pre-flight checks and delta planning.

One journal per (legal entity, facility, event type, journal date) — DESIGN §5. Lines are
netted per (account, party, cost center). Corrections are delta journals with a new version
of the idempotency key (``"{business_key}#v{n}"``), never updates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: (account_code, party_code, cost_center_code)
LineKey = tuple[str, str | None, str | None]


class JournalError(ValueError):
    """A journal fails a pre-flight check."""


class UnbalancedJournal(JournalError):
    pass


class UnknownAccount(JournalError):
    pass


class UnknownParty(JournalError):
    pass


class UnknownCostCenter(JournalError):
    pass


class MissingParty(JournalError):
    """A party-required (receivable) account line without a party."""


class InvalidFeedLine(JournalError):
    pass


@dataclass(frozen=True, slots=True)
class JournalLine:
    account_code: str
    party_code: str | None
    cost_center_code: str | None
    debit: Decimal
    credit: Decimal

    @property
    def key(self) -> LineKey:
        return (self.account_code, self.party_code, self.cost_center_code)

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class Journal:
    legal_entity_code: str
    facility_code: str
    event_type: str
    journal_date: dt.date
    lines: tuple[JournalLine, ...]
    version: int | None = None

    @property
    def business_key(self) -> str:
        return business_key(
            self.legal_entity_code, self.facility_code, self.event_type, self.journal_date)

    @property
    def idempotency_key(self) -> str:
        if self.version is None:
            raise ValueError(f"journal {self.business_key} has no version (use plan_postings)")
        return f"{self.business_key}#v{self.version}"

    @property
    def period(self) -> str:
        return self.journal_date.strftime("%Y-%m")

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    def nets(self) -> dict[LineKey, Decimal]:
        result: dict[LineKey, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            result[line.key] += line.net
        return dict(result)


def business_key(entity: str, facility: str, event_type: str, date: dt.date) -> str:
    return f"{entity}/{facility}/{event_type}/{date.isoformat()}"


def split_idempotency_key(key: str) -> tuple[str, int]:
    """``"LE1/F1/remittance/2025-01-02#v2"`` → ``("LE1/F1/remittance/2025-01-02", 2)``."""
    base, sep, version = key.rpartition("#v")
    if not sep or not version.isdigit():
        raise ValueError(f"not an idempotency key: {key!r}")
    return base, int(version)


def to_amount(value: Any) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        if value != value:  # NaN from pandas
            return ZERO
        amount = Decimal(repr(value))
    else:
        amount = Decimal(str(value))
    return amount.quantize(CENT)


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text or None


def _lines_from_nets(nets: Mapping[LineKey, Decimal]) -> tuple[JournalLine, ...]:
    lines = []
    for (account, party, cost_center), net in sorted(
            nets.items(), key=lambda item: tuple(x or "" for x in item[0])):
        if net == 0:
            continue
        lines.append(JournalLine(
            account_code=account, party_code=party, cost_center_code=cost_center,
            debit=net if net > 0 else ZERO, credit=-net if net < 0 else ZERO))
    return tuple(lines)


def build_journals(feed_rows: Iterable[Mapping[str, Any]]) -> list[Journal]:
    """Summarize feed rows (``marts.fct_journal_feed``) into balanced journals.

    Raises :class:`UnbalancedJournal` when a group's debits and credits differ by a cent or
    more, :class:`InvalidFeedLine` on negative amounts or missing keys.
    """
    groups: dict[tuple[str, str, str, dt.date], dict[LineKey, Decimal]] = {}
    totals: dict[tuple[str, str, str, dt.date], list[Decimal]] = {}
    for row in feed_rows:
        try:
            entity = str(row["legal_entity_code"])
            facility = str(row["facility_code"])
            event_type = str(row["event_type"])
            date = to_date(row["journal_date"])
            account = str(row["account_code"])
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidFeedLine(f"feed line {row.get('feed_line_key')!r}: {exc}") from exc
        debit, credit = to_amount(row.get("debit")), to_amount(row.get("credit"))
        if debit < 0 or credit < 0:
            raise InvalidFeedLine(f"feed line {row.get('feed_line_key')!r}: negative amount")
        group = (entity, facility, event_type, date)
        nets = groups.setdefault(group, defaultdict(lambda: ZERO))
        key = (account, _opt(row.get("party_code")), _opt(row.get("cost_center_code")))
        nets[key] += debit - credit
        total = totals.setdefault(group, [ZERO, ZERO])
        total[0] += debit
        total[1] += credit
    journals = []
    for group in sorted(groups):
        debit, credit = totals[group]
        if debit != credit:
            raise UnbalancedJournal(
                f"journal {business_key(*group)}: debit {debit} != credit {credit}")
        entity, facility, event_type, date = group
        journals.append(Journal(
            legal_entity_code=entity, facility_code=facility, event_type=event_type,
            journal_date=date, lines=_lines_from_nets(groups[group])))
    return journals


def check_journal(
    journal: Journal,
    *,
    accounts: Mapping[str, bool] | None = None,
    parties: Iterable[str] | None = None,
    cost_centers: Iterable[str] | None = None,
) -> None:
    """Pre-flight one journal. ``accounts`` maps account code → party required."""
    if journal.total_debit != journal.total_credit:
        raise UnbalancedJournal(
            f"journal {journal.business_key}: debit {journal.total_debit} "
            f"!= credit {journal.total_credit}")
    party_set = set(parties) if parties is not None else None
    cc_set = set(cost_centers) if cost_centers is not None else None
    for line in journal.lines:
        if line.debit < 0 or line.credit < 0 or (line.debit and line.credit):
            raise InvalidFeedLine(f"journal {journal.business_key}: bad line {line}")
        if accounts is not None:
            if line.account_code not in accounts:
                raise UnknownAccount(
                    f"journal {journal.business_key}: unknown account {line.account_code}")
            if accounts[line.account_code] and not line.party_code:
                raise MissingParty(
                    f"journal {journal.business_key}: account {line.account_code} "
                    "requires a party")
        if party_set is not None and line.party_code and line.party_code not in party_set:
            raise UnknownParty(
                f"journal {journal.business_key}: unknown party {line.party_code}")
        if (cc_set is not None and line.cost_center_code
                and line.cost_center_code not in cc_set):
            raise UnknownCostCenter(
                f"journal {journal.business_key}: unknown cost center {line.cost_center_code}")


class PostedJournals(dict[str, dict[LineKey, Decimal]]):
    """Per business key: the net posted per line key, plus the highest posted version."""

    def __init__(self, *args: Any, versions: Mapping[str, int] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions: dict[str, int] = dict(versions or {})


def plan_postings(
    journals: Iterable[Journal],
    already_posted: Mapping[str, Mapping[LineKey, Decimal]],
    versions: Mapping[str, int] | None = None,
    *,
    reverse_missing: bool = False,
) -> list[Journal]:
    """Delta journals (desired − posted) with the next version; nothing when unchanged.

    With ``reverse_missing``, a business key posted but absent from ``journals`` is fully
    reversed (use it only when ``journals`` covers the whole posted scope).

    ``versions`` (business key → highest posted version) defaults to
    ``already_posted.versions`` (:class:`PostedJournals` from the adapter); without either,
    a key already posted is an error rather than a guess (a wrong version would be skipped
    by the ERP's unique key and the delta silently lost).
    """
    if versions is None:
        versions = getattr(already_posted, "versions", None)
    planned = []
    journals = list(journals)
    if reverse_missing:
        wanted = {j.business_key for j in journals}
        for key in sorted(set(already_posted) - wanted):
            entity, facility, event_type, date = key.split("/")
            journals.append(Journal(
                legal_entity_code=entity, facility_code=facility, event_type=event_type,
                journal_date=dt.date.fromisoformat(date), lines=()))
    for journal in journals:
        key = journal.business_key
        posted = already_posted.get(key, {})
        desired = journal.nets()
        delta: dict[LineKey, Decimal] = {}
        for line_key in set(desired) | set(posted):
            diff = desired.get(line_key, ZERO) - posted.get(line_key, ZERO)
            if diff:
                delta[line_key] = diff
        lines = _lines_from_nets(delta)
        if not lines:
            continue
        if key in already_posted or (versions and key in versions):
            if versions is None or key not in versions:
                raise ValueError(f"posted version of {key} unknown: pass versions")
            version = versions[key] + 1
        else:
            version = 1
        planned.append(replace(journal, lines=lines, version=version))
    return planned
