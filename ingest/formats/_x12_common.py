"""What the three X12 readers share: envelope errors and unsupported transactions as dead
letters, a per-transaction safety net, and loop-level dead letters."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import chain

from ingest.records import DeadLetter, Record
from ingest.x12 import (  # noqa: F401 - draft_type: the readers' import of it
    Envelope,
    Transaction,
    X12Error,
    X12ValueError,
    draft_type,
    iter_transactions,
)

Reader = Callable[[Transaction], Iterable[Record | DeadLetter]]
Acceptor = Callable[[Envelope], str | None]


def read_x12(
    source: str, data: bytes, accept: Acceptor, read: Reader
) -> Iterator[Record | DeadLetter]:
    """Records of every accepted transaction of an X12 file; everything else as dead letters.
    Never raises: a transaction whose reader fails is one dead letter."""
    return chain.from_iterable(_transaction_items(source, data, accept, read))


def _transaction_items(
    source: str, data: bytes, accept: Acceptor, read: Reader
) -> Iterator[list[Record | DeadLetter]]:
    """The records / dead letters of each transaction in turn (a list per transaction: the
    caller's per-record iteration stays in C)."""
    transactions = iter_transactions(data)
    not_utf8 = _not_utf8(data)
    while True:
        with gc_paused():
            try:
                item = next(transactions, None)
            except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
                reason = f"tokenizer failed: {exc!r}"
                item = X12Error("ParserError", reason, data.decode("latin-1"), 0)
                transactions = iter(())
            if item is None:
                return
            items = _items(source, item, accept, read, not_utf8)
            # the transaction's segments die here, while the collector is paused: it then
            # sees only the records (a few per claim), not thousands of short lists
            item = None
        yield items
        items = []  # the records the caller did not keep die before the next collection


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a transaction is tokenized and read (never
    across a yield): the many short lists of a large transaction otherwise trigger repeated
    collections that double the parse time. Nothing here creates reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _not_utf8(data: bytes) -> bool:
    if data.isascii():  # the common case, without decoding (and copying) the whole file
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _foreign_character(txn: Transaction) -> str | None:
    """The first character outside ASCII in a transaction of a file that is not UTF-8."""
    return next((ch for ch in txn.raw if ord(ch) > 0x7F), None)


def _items(
    source: str,
    item: Transaction | X12Error,
    accept: Acceptor,
    read: Reader,
    not_utf8: bool = False,
) -> list[Record | DeadLetter]:
    if isinstance(item, X12Error):
        return [DeadLetter(source, item.error_class, item.reason, item.payload, item.index)]
    # X12 text is ASCII (basic / extended character sets); bytes that are not UTF-8 in a
    # transaction mean a sender's encoding error: the values cannot be trusted
    if not_utf8 and (ch := _foreign_character(item)) is not None:
        reason = f"byte {ord(ch):#04x} is not UTF-8 text (X12 allows ASCII): check the encoding"
        return [transaction_dead_letter(source, item, "EncodingError", reason)]
    refusal = accept(item.envelope)
    if refusal is not None:
        return [transaction_dead_letter(source, item, "UnsupportedTransaction", refusal)]
    return _read_one(source, item, read)


def _read_one(source: str, txn: Transaction, read: Reader) -> list[Record | DeadLetter]:
    try:
        items = read(txn)
        return items if type(items) is list else list(items)
    except X12ValueError as exc:
        return [transaction_dead_letter(source, txn, exc.error_class, str(exc))]
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
        return [transaction_dead_letter(source, txn, "ParserError", f"reader failed: {exc!r}")]


def where(txn: Transaction) -> str:
    env = txn.envelope
    return (
        f"transaction ST02={env.transaction_control_number!r} "
        f"(ISA13={env.interchange_control_number!r}, GS06={env.group_control_number!r})"
    )


def transaction_dead_letter(
    source: str, txn: Transaction, error_class: str, reason: str
) -> DeadLetter:
    return DeadLetter(source, error_class, f"{reason}; {where(txn)}", txn.raw, txn.index)


def loop_dead_letter(
    source: str, txn: Transaction, segments: list[list[str]], error: X12ValueError, what: str
) -> DeadLetter:
    """A dead letter for one loop (a claim) of a transaction whose other loops are fine. The
    payload is the loop's segments; the reason names the transaction."""
    seps = txn.separators
    payload = "\n".join(seps.element.join(seg) + seps.segment for seg in segments)
    reason = f"{what}: {error}; {where(txn)}"
    return DeadLetter(source, error.error_class, reason, payload, txn.index)


def require(value: str | None, where_: str) -> str:
    if not value:
        raise X12ValueError(f"{where_} is missing")
    return value


def expect_transaction(
    envelope: Envelope, st01: str, label: str, versions: tuple[str, ...]
) -> str | None:
    """None when the transaction is `st01` with an implementation guide of `versions`."""
    if envelope.transaction_set_id != st01:
        return (
            f"transaction set {envelope.transaction_set_id!r} (ST01) is not a {label}; "
            f"this reader handles ST01={st01!r}"
        )
    version = envelope.version
    if versions and not any(v in version for v in versions):
        return (
            f"implementation guide {version!r} (ST03 / GS08) is not a {label} "
            f"({' / '.join(versions)})"
        )
    return None


# The fast readings keep each file's amounts: remittances and claims repeat the same amounts
# (fee schedule charges, contractual allowances, copays, units) thousands of times, and a
# dictionary look-up is a fraction of `Decimal(text)`. A reading looks an amount up and, when
# it is new, converts it as `to_decimal` does (`value[-1]` and `Decimal` raise on what it
# rejects: the fast reading then hands over) and keeps it; only amounts read successfully are
# kept, so a kept one needs no check. `kept_amounts` bounds them between transactions.
AMOUNT_CACHE_SIZE = 4096
NUMBER_END = frozenset("0123456789.")  # what `to_decimal` accepts as an amount's last character


def kept_amounts(amounts: dict[str, Decimal] | None) -> dict[str, Decimal]:
    """The file's amounts kept so far for the next transaction: a new dictionary for None,
    emptied once past `AMOUNT_CACHE_SIZE` (a file of unique amounts stays cheap)."""
    if amounts is None:
        return {}
    if len(amounts) > AMOUNT_CACHE_SIZE:
        amounts.clear()
    return amounts
