"""``account.move`` extension: an external idempotency key and an atomic batch post."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    hcops_key = fields.Char(
        "hcops Key", readonly=True,
        help="Idempotency key of the hcops journal (business key and version).")

    @classmethod
    def __setup__(cls) -> None:
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('hcops_key_unique', Unique(t, t.company, t.hcops_key),
                'hcops_ledger.msg_hcops_key_unique'),
            ]
        cls.__rpc__.update({
                'hcops_post_batch': RPC(readonly=False),
                })

    @classmethod
    def copy(cls, moves, default=None):  # type: ignore[no-untyped-def]
        default = dict(default or {})
        default.setdefault('hcops_key', None)
        return super().copy(moves, default=default)

    @classmethod
    def hcops_post_batch(cls, batch: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
        """Create and post the moves of ``batch`` in the current transaction.

        Each item: ``company`` (id), ``journal`` (id), ``date``, ``hcops_key``,
        ``description`` and ``lines`` (dicts of ``account``, ``party``, ``debit``,
        ``credit``, ``description`` and optionally ``analytic_account``). Keys already
        present for the company are skipped. Any error aborts the whole batch (the caller's
        transaction is rolled back). Returns ``{"created": [...], "existing": [...]}``.
        """
        pool = Pool()
        Period = pool.get('account.period')

        existing: set[tuple[int, str]] = set()
        keys = [item['hcops_key'] for item in batch]
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for move in cls.search([('hcops_key', 'in', chunk)]):
                existing.add((move.company.id, move.hcops_key))

        to_create: list[dict[str, Any]] = []
        created_keys: list[str] = []
        existing_keys: list[str] = []
        seen: set[tuple[int, str]] = set()
        for item in batch:
            ident = (item['company'], item['hcops_key'])
            if ident in existing or ident in seen:
                existing_keys.append(item['hcops_key'])
                continue
            seen.add(ident)
            lines = item['lines']
            if not lines:
                raise UserError(gettext(
                        'hcops_ledger.msg_hcops_empty', key=item['hcops_key']))
            debit = sum((Decimal(line['debit']) for line in lines), Decimal(0))
            credit = sum((Decimal(line['credit']) for line in lines), Decimal(0))
            if debit != credit:
                # SQLite trytond does not reject an unbalanced move on post.
                raise UserError(gettext(
                        'hcops_ledger.msg_hcops_unbalanced', key=item['hcops_key'],
                        debit=debit, credit=credit))
            with Transaction().set_context(company=item['company']):
                period = Period.find(item['company'], date=item['date'])
            line_values = []
            for line in lines:
                values: dict[str, Any] = {
                    'account': line['account'],
                    'party': line.get('party'),
                    'debit': Decimal(line['debit']),
                    'credit': Decimal(line['credit']),
                    'description': line.get('description'),
                    }
                analytic = line.get('analytic_account')
                if analytic:
                    values['analytic_lines'] = [('create', [{
                                    'account': analytic,
                                    'date': item['date'],
                                    'debit': Decimal(line['debit']),
                                    'credit': Decimal(line['credit']),
                                    }])]
                line_values.append(values)
            to_create.append({
                    'company': item['company'],
                    'journal': item['journal'],
                    'period': period.id,
                    'date': item['date'],
                    'description': item.get('description'),
                    'hcops_key': item['hcops_key'],
                    'lines': [('create', line_values)],
                    })
            created_keys.append(item['hcops_key'])
        if to_create:
            moves = cls.create(to_create)
            # One post call per company: trytond 8.2.1 ``Move.post`` rebinds its table
            # variable ``move`` inside the per-company loop, so a call spanning two
            # companies fails on the second one.
            by_company: dict[int, list[Any]] = {}
            for move in moves:
                by_company.setdefault(move.company.id, []).append(move)
            for company_moves in by_company.values():
                cls.post(company_moves)
        return {'created': created_keys, 'existing': existing_keys}
