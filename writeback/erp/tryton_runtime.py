"""Process-global trytond state, kept in one place.

trytond keeps its configuration, its Pool and its caches in module globals. This module
serializes access (one lock) and points the global config at one ERP directory at a time,
so several :class:`~writeback.erp.tryton.TrytonLedger` instances on different directories
can be used one after another in the same process. Database names are unique per process
(pools and caches are keyed by database name). Not for concurrent use from several threads
on different directories at the same time (the lock serializes them).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

LOCK = threading.RLock()
_INITIALISED: set[str] = set()
#: database name → tables trytond asked to lock in a transaction (learned, see run())
_LOCK_TABLES: dict[str, set[str]] = {}
#: database name → directory that owns it in this process
_OWNERS: dict[str, Path] = {}

logging.getLogger("trytond").setLevel(logging.WARNING)


def configure(erp_dir: Path) -> None:
    """Point trytond's global config at ``erp_dir`` (SQLite, no network, nothing in ~)."""
    from trytond import config

    config.set("database", "uri", "sqlite://")
    config.set("database", "path", str(erp_dir))
    config.set("database", "list", "False")
    config.set("database", "language", "en")
    config.set("web", "root", str(erp_dir / "www"))
    if not config.has_section("attachment"):
        config.add_section("attachment")
    config.set("attachment", "store_prefix", "")


def claim_name(dbname: str, erp_dir: Path) -> bool:
    """Record that ``dbname`` belongs to ``erp_dir``; False if another dir owns it."""
    owner = _OWNERS.get(dbname)
    if owner is not None and owner != erp_dir:
        return False
    _OWNERS[dbname] = erp_dir
    return True


def forget(dbname: str) -> None:
    """Drop trytond's pool and caches for ``dbname`` (its file was replaced or removed)."""
    from trytond.cache import Cache
    from trytond.pool import Pool

    with LOCK:
        Pool.stop(dbname)
        Cache.drop(dbname)
        _INITIALISED.discard(dbname)
        _LOCK_TABLES.pop(dbname, None)


def init_database(erp_dir: Path, dbname: str, modules: list[str], password: str) -> None:
    """Create the SQLite database, activate ``modules`` and set the admin password."""
    from trytond import backend
    from trytond.pool import Pool

    with LOCK:
        configure(erp_dir)
        path = erp_dir / f"{dbname}.sqlite"
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.touch()
        forget(dbname)
        database = backend.Database(dbname)
        database.connect()
        if not database.test():
            database.init()
        database.close()
        pool = Pool(dbname)
        pool.init(update=modules, lang=["en"], activatedeps=True)
        _INITIALISED.add(dbname)

    def setup(pool: Any) -> None:
        from trytond import __series__

        configuration = pool.get("ir.configuration")(1)
        configuration.series = __series__
        configuration.language = "en"
        configuration.save()
        from trytond.transaction import inactive_records

        User = pool.get("res.user")
        with inactive_records():
            users = User.search([("id", "!=", 0), ("login", "=", "admin")])
        admin = users[0] if users else User(login="admin")
        admin.active = True
        admin.administrator = True
        admin.password = password
        admin.save()

    run(erp_dir, dbname, setup)


def _force_transactional(transaction: Any) -> None:
    """Undo trytond's SQLite autocommit leak.

    ``Cache.sync`` (run inside ``Transaction.start`` every ``cache.clean_timeout``
    seconds) asks the transaction's own SQLite database object for an autocommit
    connection: the SQLite backend returns the very same connection with
    ``isolation_level = None``, so the rest of that transaction autocommits and a failure
    no longer rolls back (measured: a batch that failed half-way left draft moves).
    """
    connection = transaction.connection
    if getattr(connection, "isolation_level", "") is None and not transaction.readonly:
        connection.isolation_level = "IMMEDIATE"


def run(
    erp_dir: Path,
    dbname: str,
    work: Callable[[Any], T],
    *,
    context: Mapping[str, Any] | None = None,
    readonly: bool = False,
) -> T:
    """Run ``work(pool)`` in one trytond transaction (user root); commit on success.

    trytond asks for a restart with extra table locks (``TransactionError``) e.g. when a
    strict sequence is used on post; the whole unit of work is then re-run, as trytond's
    own dispatcher does.
    """
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    with LOCK:
        configure(erp_dir)
        if dbname not in _INITIALISED:
            Pool(dbname).init()
            _INITIALISED.add(dbname)
        for _ in range(20):
            extras = {"_lock_tables": sorted(_LOCK_TABLES.setdefault(dbname, set()))}
            try:
                with Transaction().start(
                        dbname, 0, readonly=readonly, context=dict(context or {}),
                        **extras) as transaction:
                    _force_transactional(transaction)
                    return work(Pool(dbname))
            except TransactionError as error:
                # Remember the tables trytond wants locked (a record lock becomes a table
                # lock) so that later units of work start right away instead of running
                # twice. On SQLite locks are no-ops: BEGIN IMMEDIATE already serializes
                # writers.
                table = getattr(error, "_table", None)
                if table is None:
                    raise
                _LOCK_TABLES[dbname].add(table)
        raise RuntimeError(f"trytond transaction on {dbname} kept asking for a restart")
