"""The functional group's creation time (GS04 date CCYYMMDD, GS05 time HHMM[SS[D[D]]]) of a
transaction: the source event time of X12 transaction latency (DESIGN §4, decision 0031).

X12 states no time zone: the value is kept naive, as the sender wrote it on its own clock;
staging reads it in the partner's zone. It is read once per transaction from the GS header
that heads the transaction's replay payload (a few characters, whatever the transaction's
size), and parsed once per distinct GS04 / GS05 pair (a file's groups share it)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from ingest.x12 import Transaction, X12ValueError

_HEAD_PIECES = 4  # ISA, GS and (with line-break terminators) the empty pieces between them


def group_created_at(txn: Transaction) -> dt.datetime | None:
    """GS04 + GS05 of the transaction's group; None when the header lacks either (a date
    alone would overstate a latency by up to a day). Raises X12ValueError when GS04 / GS05
    are not a date / time."""
    gs = _gs_elements(txn)
    if gs is None or len(gs) < 6 or not gs[4] or not gs[5]:
        return None
    return parse_group_time(gs[4], gs[5])


def _gs_elements(txn: Transaction) -> list[str] | None:
    """The GS segment of the payload's header (ISA, GS, ST ...), split into elements."""
    raw, seps = txn.raw, txn.separators
    prefix = "GS" + seps.element
    start = 0
    for _ in range(_HEAD_PIECES):
        end = raw.find(seps.segment, start)
        if end < 0:
            return None
        piece = raw[start:end].strip("\r\n ")
        if piece.startswith(prefix):
            return piece.split(seps.element)
        start = end + len(seps.segment)
    return None


@lru_cache(maxsize=1024)
def parse_group_time(day: str, time: str) -> dt.datetime:
    """GS04 CCYYMMDD and GS05 HHMM, HHMMSS, HHMMSSD or HHMMSSDD (D: decimal seconds) as a
    naive datetime. Raises X12ValueError."""
    if len(day) != 8 or not day.isdigit():
        raise X12ValueError(f"GS04 group date {day!r} is not a date (CCYYMMDD)")
    if len(time) not in (4, 6, 7, 8) or not time.isdigit():
        raise X12ValueError(f"GS05 group time {time!r} is not a time (HHMM[SS[D[D]]])")
    fraction = time[6:]
    try:
        return dt.datetime(
            int(day[:4]),
            int(day[4:6]),
            int(day[6:]),
            int(time[:2]),
            int(time[2:4]),
            int(time[4:6] or 0),
            int(fraction.ljust(6, "0")) if fraction else 0,
        )
    except ValueError:
        raise X12ValueError(
            f"GS04 / GS05 {day!r} / {time!r} is not a valid date and time"
        ) from None
