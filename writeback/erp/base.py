"""What the orchestration layer needs from a general ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from writeback.journals import Journal, PostedJournals
from writeback.master_data import MasterData


@dataclass(frozen=True, slots=True)
class LedgerBalance:
    """Posted move lines summed per company × account × period × cost center × party."""

    legal_entity_code: str
    account_code: str
    period: str  # YYYY-MM
    cost_center_code: str | None
    party_code: str | None
    debit: Decimal
    credit: Decimal

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class PostingFailure:
    idempotency_key: str
    reason: str


@dataclass(slots=True)
class PostingReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # key already present in the ERP
    failed: list[PostingFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True, slots=True)
class ProvisionReport:
    created: dict[str, int]  # what → how many records were created

    @property
    def changed(self) -> bool:
        return any(self.created.values())


class LedgerAdapter(Protocol):
    def provision(self, master: MasterData) -> ProvisionReport: ...

    def post_journals(self, journals: Sequence[Journal]) -> PostingReport: ...

    def read_balances(self) -> list[LedgerBalance]: ...

    def posted_business_keys(self) -> PostedJournals: ...
