"""Retry what a retry can fix, and nothing else: transient I/O (DuckDB's file lock held by
another process, the ERP's SQLite database locked, a dropped or refused connection). A failed
data test, a parse error or a bug fails the step at once: retrying it would only repeat it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

# lower-case fragments of the messages of transient errors, as the drivers word them (dbt
# surfaces the adapter's message in its error text)
TRANSIENT_MESSAGES = (
    "could not set lock on file",  # DuckDB: another process holds the warehouse
    "database is locked",  # SQLite (the embedded ERP)
    "could not connect to server",  # PostgreSQL (warehouse on the scale path, ERP server)
    "connection refused",
    "server closed the connection unexpectedly",
    "timeout expired",
)
MAX_RETRIES = 3
FIRST_DELAY_SECONDS = 2.0  # then 4 and 8


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def is_transient_text(text: str) -> bool:
    """Whether an error message reads as transient I/O."""
    lowered = text.lower()
    return any(fragment in lowered for fragment in TRANSIENT_MESSAGES)


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is transient I/O that a later attempt may pass."""
    return any(
        isinstance(link, ConnectionError | TimeoutError) or is_transient_text(str(link))
        for link in _chain(exc)
    )


def retry_request(context: dg.AssetExecutionContext) -> dg.RetryRequested:
    """A retry of the step after an exponential backoff (the step fails after MAX_RETRIES)."""
    return dg.RetryRequested(
        max_retries=MAX_RETRIES, seconds_to_wait=FIRST_DELAY_SECONDS * 2**context.retry_number
    )


@contextmanager
def transient_io_retried(context: dg.AssetExecutionContext) -> Iterator[None]:
    """Turn a transient I/O error inside the block into a retry of the step (up to
    MAX_RETRIES, with exponential backoff); every other error fails the step as it is."""
    try:
        yield
    except dg.RetryRequested:
        raise
    except Exception as exc:
        if not is_transient(exc):
            raise
        context.log.warning(f"transient I/O error, retrying: {type(exc).__name__}")
        raise retry_request(context) from exc
