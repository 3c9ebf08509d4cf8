"""Tryton (embedded, in-process, SQLite) as the hcops general ledger.

Everything lives under ``erp_dir``: the SQLite database ``<dbname>.sqlite``, the admin
password file ``admin_password`` and a ``trytond.conf`` for the command-line tools
(``trytond-admin -c <erp_dir>/trytond.conf -d <dbname>``). trytond's global state is
handled by :mod:`writeback.erp.tryton_runtime`, so several ledgers on different directories
can be used one after another in one process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from writeback.erp import tryton_runtime as rt
from writeback.erp.base import LedgerBalance, PostingFailure, PostingReport, ProvisionReport
from writeback.journals import (
    ZERO,
    Journal,
    JournalError,
    LineKey,
    PostedJournals,
    check_journal,
    split_idempotency_key,
)
from writeback.master_data import ENTITY_PARTY_PREFIX, PATIENTS_PARTY, MasterData, entity_party_code

MODULES = ["account", "company", "party", "analytic_account", "hcops_ledger"]
CHUNK = 50
ANALYTIC_ROOT_CODE = "CC"
CHART_ROOT_CODE = "HCOPS"

#: account_type (contracts.md) → Tryton account type flags
ACCOUNT_TYPE_FLAGS: dict[str, dict[str, Any]] = {
    "cash": {"statement": "balance", "assets": True},
    "receivable": {"statement": "balance", "assets": True, "receivable": True},
    "contra_receivable": {"statement": "balance", "assets": True},
    "revenue": {"statement": "income", "revenue": True},
    "contra_revenue": {"statement": "income", "revenue": True},
    "other_income": {"statement": "income", "revenue": True},
    "expense": {"statement": "income", "expense": True},
    "liability": {"statement": "balance", "assets": False},
}
TYPE_NAMES = {
    "cash": "Cash", "receivable": "Receivable", "contra_receivable": "Contra receivable",
    "revenue": "Revenue", "contra_revenue": "Contra revenue",
    "other_income": "Other income", "expense": "Expense", "liability": "Liability",
}


@dataclass(frozen=True, slots=True)
class _Ids:
    """ERP ids of the master data, resolved once per operation."""

    companies: dict[str, int]  # legal entity → company
    accounts: dict[tuple[int, str], int]  # (company, code) → account
    party_required: dict[str, bool]  # account code → party required
    parties: dict[str, int]  # party code → party
    analytic: dict[tuple[int, str], int]  # (company, cost center) → analytic account
    journal: int


def _amount(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


class TrytonLedger:
    """:class:`~writeback.erp.base.LedgerAdapter` on an embedded Tryton database."""

    def __init__(self, erp_dir: Path) -> None:
        self.erp_dir = Path(erp_dir).resolve()
        self.erp_dir.mkdir(parents=True, exist_ok=True)
        self.dbname = self._database_name()

    # -- files ---------------------------------------------------------------------------
    @property
    def database_path(self) -> Path:
        return self.erp_dir / f"{self.dbname}.sqlite"

    @property
    def password_file(self) -> Path:
        return self.erp_dir / "admin_password"

    def _database_name(self) -> str:
        existing = sorted(self.erp_dir.glob("hcops_*.sqlite"))
        if len(existing) > 1:
            raise RuntimeError(f"several hcops databases in {self.erp_dir}: {existing}")
        if existing:
            name = existing[0].stem
            if rt.claim_name(name, self.erp_dir):
                return name
            # a copied directory: the name is taken in this process, rename the file
            fresh = self._fresh_name()
            existing[0].rename(self.erp_dir / f"{fresh}.sqlite")
            return fresh
        return self._fresh_name()

    def _fresh_name(self) -> str:
        digest = hashlib.sha1(str(self.erp_dir).encode()).hexdigest()[:10]
        name = f"hcops_{digest}"
        while not rt.claim_name(name, self.erp_dir):
            name = f"hcops_{digest}_{secrets.token_hex(3)}"
        return name

    def _password(self) -> str:
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(18) + "\n")
            self.password_file.chmod(0o600)
        return self.password_file.read_text().strip()

    def _write_config(self) -> None:
        (self.erp_dir / "trytond.conf").write_text(
            "[database]\nuri = sqlite://\n"
            f"path = {self.erp_dir}\nlanguage = en\nlist = False\n")

    @property
    def exists(self) -> bool:
        return self.database_path.is_file() and self.database_path.stat().st_size > 0

    @classmethod
    def clone(cls, template: TrytonLedger, erp_dir: Path) -> TrytonLedger:
        """A new ledger in ``erp_dir`` holding a copy of ``template``'s database.

        Uses SQLite's backup API (consistent even with a live WAL); any stale target
        ``-wal`` / ``-shm`` files are removed first.
        """
        target = cls(erp_dir)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.database_path}{suffix}").unlink(missing_ok=True)
        with rt.LOCK:
            source = sqlite3.connect(template.database_path)
            dest = sqlite3.connect(target.database_path)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
            rt.forget(target.dbname)
        target.password_file.write_text(template._password() + "\n")
        target.password_file.chmod(0o600)
        target._write_config()
        return target

    # -- plumbing ------------------------------------------------------------------------
    def _run(self, work: Any, *, readonly: bool = False, context: dict[str, Any] | None = None
             ) -> Any:
        return rt.run(self.erp_dir, self.dbname, work, readonly=readonly, context=context)

    # -- provisioning --------------------------------------------------------------------
    def provision(
        self, master: MasterData, years: Iterable[int] | None = None
    ) -> ProvisionReport:
        """Create (if needed) the database and the master data; idempotent.

        ``years``: calendar fiscal years to open (default: the current year);
        :meth:`post_journals` opens the years of the journals it posts as well.
        """
        created: dict[str, int] = defaultdict(int)
        if not self.exists:
            rt.init_database(self.erp_dir, self.dbname, MODULES, self._password())
            created["database"] = 1
        self._write_config()
        year_set = set(years) if years is not None else {dt.date.today().year}
        self._run(lambda pool: self._provision(pool, master, created))
        created["fiscal_years"] += self.ensure_fiscal_years(year_set)
        return ProvisionReport(created=dict(created))

    def _provision(self, pool: Any, master: MasterData, created: dict[str, int]) -> None:
        Currency = pool.get("currency.currency")
        Party = pool.get("party.party")
        Company = pool.get("company.company")

        currencies: dict[str, Any] = {c.code: c for c in Currency.search([])}
        for entity in master.legal_entities:
            code = entity.currency or "USD"
            if code not in currencies:
                currencies[code] = Currency(
                    name={"USD": "U.S. Dollar"}.get(code, code), code=code,
                    symbol={"USD": "$"}.get(code, code), rounding=Decimal("0.01"), digits=2)
                currencies[code].save()
                created["currencies"] += 1

        parties = {p.code: p for p in Party.search([("code", "!=", None)])}

        def party(code: str, name: str) -> Any:
            record = parties.get(code)
            if record is None:
                record = Party(code=code, name=name)
                record.save()
                parties[code] = record
                created["parties"] += 1
            return record

        for payer in master.payers:
            party(payer.party_code, payer.name)
        party(PATIENTS_PARTY, "Patients")

        companies = {c.party.code: c for c in Company.search([])}
        for entity in master.legal_entities:
            code = entity_party_code(entity.legal_entity_code)
            company = companies.get(code)
            if company is None:
                company = Company(
                    party=party(code, entity.name), currency=currencies[entity.currency or "USD"])
                company.save()
                created["companies"] += 1
            self._provision_company(pool, company, entity.legal_entity_code, master, created)

    def _provision_company(
        self, pool: Any, company: Any, entity_code: str, master: MasterData,
        created: dict[str, int],
    ) -> None:
        Type = pool.get("account.account.type")
        Account = pool.get("account.account")
        Analytic = pool.get("analytic_account.account")

        types = {t.name: t for t in Type.search([("company", "=", company.id)])}
        root_type = types.get("hcops")
        if root_type is None:
            root_type = Type(name="hcops", company=company)
            root_type.save()
            created["account_types"] += 1
        for key, flags in ACCOUNT_TYPE_FLAGS.items():
            if TYPE_NAMES[key] not in types:
                record = Type(name=TYPE_NAMES[key], company=company, parent=root_type, **flags)
                record.save()
                types[TYPE_NAMES[key]] = record
                created["account_types"] += 1

        accounts = {a.code: a for a in Account.search([("company", "=", company.id)])}
        root = accounts.get(CHART_ROOT_CODE)
        if root is None:
            root = Account(name="hcops chart of accounts", code=CHART_ROOT_CODE, company=company)
            root.save()
            accounts[CHART_ROOT_CODE] = root
            created["accounts"] += 1
        for gl in master.gl_accounts:
            record = accounts.get(gl.account_code)
            if record is None:
                record = Account(
                    code=gl.account_code, name=gl.name, company=company, parent=root,
                    type=types[TYPE_NAMES[gl.account_type]],
                    party_required=gl.party_required,
                    reconcile=gl.account_type == "receivable")
                record.save()
                created["accounts"] += 1
            elif record.name != gl.name:
                record.name = gl.name
                record.save()
                created["accounts_renamed"] += 1

        analytic = {
            a.code: a for a in Analytic.search([("company", "=", company.id)])}
        analytic_root = analytic.get(ANALYTIC_ROOT_CODE)
        if analytic_root is None:
            analytic_root = Analytic(
                name="Cost centers", code=ANALYTIC_ROOT_CODE, company=company, type="root",
                state="opened")
            analytic_root.save()
            created["analytic_accounts"] += 1
        for cc in master.cost_centers:
            if cc.legal_entity_code != entity_code:
                continue
            record = analytic.get(cc.cost_center_code)
            state = "opened" if cc.active else "closed"
            if record is None:
                record = Analytic(
                    name=cc.name, code=cc.cost_center_code, company=company, type="normal",
                    root=analytic_root, parent=analytic_root, state=state)
                record.save()
                created["analytic_accounts"] += 1
            elif (record.name, record.state) != (cc.name, state):
                record.name, record.state = cc.name, state
                record.save()
                created["analytic_accounts_updated"] += 1

    def ensure_fiscal_years(self, years: Iterable[int]) -> int:
        """Open calendar fiscal years (monthly periods, strict move sequence); idempotent."""
        wanted = sorted(set(years))

        def work(pool: Any) -> int:
            FiscalYear = pool.get("account.fiscalyear")
            Sequence = pool.get("ir.sequence.strict")
            ModelData = pool.get("ir.model.data")
            Company = pool.get("company.company")
            sequence_type = ModelData.get_id("account", "sequence_type_account_move")
            count = 0
            for company in Company.search([]):
                existing = {
                    fy.start_date.year for fy in FiscalYear.search(
                        [("company", "=", company.id)])}
                for year in wanted:
                    if year in existing:
                        continue
                    sequence = Sequence(
                        name=f"Account Move {year}", sequence_type=sequence_type,
                        company=company)
                    sequence.save()
                    fiscal_year = FiscalYear(
                        name=str(year), start_date=dt.date(year, 1, 1),
                        end_date=dt.date(year, 12, 31), company=company,
                        move_sequence=sequence)
                    fiscal_year.save()
                    FiscalYear.create_period([fiscal_year])
                    count += 1
            return count

        return int(self._run(work)) if wanted else 0

    # -- ids -----------------------------------------------------------------------------
    def _ids(self, pool: Any) -> _Ids:
        Company = pool.get("company.company")
        Account = pool.get("account.account")
        Party = pool.get("party.party")
        Analytic = pool.get("analytic_account.account")
        ModelData = pool.get("ir.model.data")
        companies = {
            c.party.code[len(ENTITY_PARTY_PREFIX):]: c.id for c in Company.search([])
            if c.party.code and c.party.code.startswith(ENTITY_PARTY_PREFIX)}
        accounts: dict[tuple[int, str], int] = {}
        party_required: dict[str, bool] = {}
        for account in Account.search([("type", "!=", None)]):
            accounts[(account.company.id, account.code)] = account.id
            party_required[account.code] = bool(account.party_required)
        parties = {p.code: p.id for p in Party.search([("code", "!=", None)])}
        analytic = {
            (a.company.id, a.code): a.id
            for a in Analytic.search([("type", "=", "normal"), ("state", "=", "opened")])}
        return _Ids(
            companies=companies, accounts=accounts, party_required=party_required,
            parties=parties, analytic=analytic,
            journal=ModelData.get_id("account", "journal_miscellaneous"))

    # -- posting -------------------------------------------------------------------------
    def _preflight(self, journal: Journal, ids: _Ids) -> dict[str, Any]:
        company = ids.companies.get(journal.legal_entity_code)
        if company is None:
            raise JournalError(f"unknown legal entity {journal.legal_entity_code}")
        check_journal(
            journal,
            accounts={
                code: ids.party_required[code] for (c, code) in ids.accounts if c == company},
            parties=ids.parties,
            cost_centers=[cc for (c, cc) in ids.analytic if c == company])
        lines = []
        for line in journal.lines:
            lines.append({
                "account": ids.accounts[(company, line.account_code)],
                "party": ids.parties[line.party_code] if line.party_code else None,
                "debit": line.debit,
                "credit": line.credit,
                "analytic_account": (
                    ids.analytic[(company, line.cost_center_code)]
                    if line.cost_center_code else None),
            })
        return {
            "company": company,
            "journal": ids.journal,
            "date": journal.journal_date,
            "hcops_key": journal.idempotency_key,
            # memo: business key and event type only (never claim or patient data)
            "description": f"{journal.event_type} {journal.idempotency_key}",
            "lines": lines,
        }

    def post_journals(self, journals: Sequence[Journal]) -> PostingReport:
        """Create and post ``journals`` (versioned, see ``plan_postings``).

        Chunks of ``CHUNK`` moves, one transaction each (atomic: all created and posted or
        none). A failing chunk is retried journal by journal to isolate the failures. Keys
        already in the ERP are reported as skipped. A journal dated in a closed or missing
        period fails (moving it to the next open period is not implemented yet).
        """
        report = PostingReport()
        self.ensure_fiscal_years({j.journal_date.year for j in journals})
        ids = self._run(self._ids, readonly=True)
        batch: list[dict[str, Any]] = []
        for journal in journals:
            key = journal.idempotency_key  # raises without a version
            try:
                batch.append(self._preflight(journal, ids))
            except (JournalError, KeyError) as exc:
                report.failed.append(PostingFailure(key, f"{type(exc).__name__}: {exc}"))
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start:start + CHUNK]
            try:
                result = self._post_chunk(chunk)
            except Exception:
                for item in chunk:
                    try:
                        one = self._post_chunk([item])
                    except Exception as exc:  # noqa: BLE001 - reported, not raised
                        report.failed.append(PostingFailure(
                            item["hcops_key"], f"{type(exc).__name__}: {exc}"))
                    else:
                        report.created.extend(one["created"])
                        report.skipped.extend(one["existing"])
                continue
            report.created.extend(result["created"])
            report.skipped.extend(result["existing"])
        return report

    def _post_chunk(self, chunk: list[dict[str, Any]]) -> dict[str, list[str]]:
        def work(pool: Any) -> dict[str, list[str]]:
            return pool.get("account.move").hcops_post_batch(chunk)

        for attempt in range(2):
            try:
                return self._run(work)
            except Exception as exc:
                # a concurrent writer inserted one of the keys: rerun, it is now skipped
                if attempt == 0 and "unique" in str(exc).lower():
                    time.sleep(0.05)
                    continue
                raise
        raise AssertionError("unreachable")

    # -- readback ------------------------------------------------------------------------
    def _posted_lines(self, pool: Any, *, keyed_only: bool = False) -> list[dict[str, Any]]:
        """Posted move lines with codes: one dict per move line."""
        from sql import Literal, Null
        from trytond.transaction import Transaction

        Move = pool.get("account.move")
        Line = pool.get("account.move.line")
        Account = pool.get("account.account")
        Party = pool.get("party.party")
        Company = pool.get("company.company")
        AnalyticLine = pool.get("analytic_account.line")
        Analytic = pool.get("analytic_account.account")
        move, line, account = Move.__table__(), Line.__table__(), Account.__table__()
        party, company_party = Party.__table__(), Party.__table__()
        company = Company.__table__()
        aline, analytic = AnalyticLine.__table__(), Analytic.__table__()

        cc = aline.join(analytic, condition=aline.account == analytic.id).select(
            aline.move_line, analytic.code.as_("cc"))
        query = (
            line.join(move, condition=line.move == move.id)
            .join(account, condition=line.account == account.id)
            .join(company, condition=move.company == company.id)
            .join(company_party, condition=company.party == company_party.id)
            .join(party, "LEFT", condition=line.party == party.id)
            .join(cc, "LEFT", condition=cc.move_line == line.id)
            .select(
                company_party.code, account.code, move.date, party.code, cc.cc,
                line.debit, line.credit, move.hcops_key,
                where=(move.state == "posted")
                & ((move.hcops_key != Null) if keyed_only else Literal(True))))
        rows = []
        with Transaction().connection.cursor() as cur:
            cur.execute(*query)
            for (entity, acc, date, party_code, cc_code, debit, credit, key) in cur:
                if isinstance(date, str):
                    date = dt.date.fromisoformat(date)
                rows.append({
                    "entity": (entity or "")[len(ENTITY_PARTY_PREFIX):],
                    "account": acc, "date": date, "party": party_code, "cc": cc_code,
                    "debit": _amount(debit), "credit": _amount(credit), "key": key})
        return rows

    def read_balances(self) -> list[LedgerBalance]:
        """Posted move lines per legal entity × account × period × cost center × party."""
        rows = self._run(self._posted_lines, readonly=True)
        sums: dict[tuple[str, str, str, str | None, str | None], list[Decimal]] = {}
        for row in rows:
            key = (row["entity"], row["account"], row["date"].strftime("%Y-%m"), row["cc"],
                   row["party"])
            total = sums.setdefault(key, [ZERO, ZERO])
            total[0] += row["debit"]
            total[1] += row["credit"]
        return [
            LedgerBalance(
                legal_entity_code=k[0], account_code=k[1], period=k[2], cost_center_code=k[3],
                party_code=k[4], debit=v[0], credit=v[1])
            for k, v in sorted(sums.items(), key=lambda kv: tuple(x or "" for x in kv[0]))]

    def posted_business_keys(self) -> PostedJournals:
        """Per business key: net posted per (account, party, cost center); and versions."""
        rows = self._run(lambda pool: self._posted_lines(pool, keyed_only=True), readonly=True)
        nets: dict[str, dict[LineKey, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        versions: dict[str, int] = {}
        for row in rows:
            base, version = split_idempotency_key(row["key"])
            versions[base] = max(versions.get(base, 0), version)
            nets[base][(row["account"], row["party"], row["cc"])] += (
                row["debit"] - row["credit"])
        return PostedJournals(
            {k: {lk: v for lk, v in d.items() if v} for k, d in nets.items()},
            versions=versions)

    def moves(self) -> list[dict[str, Any]]:
        """All moves with state, key and line totals (for checks and tests)."""

        def work(pool: Any) -> list[dict[str, Any]]:
            Move = pool.get("account.move")
            result = []
            for move in Move.search([], order=[("id", "ASC")]):
                result.append({
                    "id": move.id, "state": move.state, "hcops_key": move.hcops_key,
                    "number": move.number, "description": move.description,
                    "company": move.company.party.code[len(ENTITY_PARTY_PREFIX):],
                    "debit": sum((_amount(x.debit) for x in move.lines), ZERO),
                    "credit": sum((_amount(x.credit) for x in move.lines), ZERO),
                    "lines": len(move.lines),
                    "analytic_lines": sum(len(x.analytic_lines) for x in move.lines),
                })
            return result

        return list(self._run(work, readonly=True))

    def run(self, work: Any, *, readonly: bool = False) -> Any:
        """Run ``work(pool)`` in one transaction on this ledger (escape hatch for tests)."""
        return self._run(work, readonly=readonly)
