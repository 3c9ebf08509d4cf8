"""The simulated clock. Every naive datetime in the simulation is the network's local wall time
(America/New_York: the sources write it as such, FHIR with its UTC offset); a file's delivery
time becomes its modification time as a true UTC instant, and the integration truth
(latency, delivery day) is computed on UTC instants, so DST changes count as real time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

NETWORK_ZONE = zoneinfo.ZoneInfo("America/New_York")


def aware(local: dt.datetime) -> dt.datetime:
    """A naive local wall time as an aware datetime of the network's zone."""
    return local.replace(tzinfo=NETWORK_ZONE)


def to_utc(local: dt.datetime) -> dt.datetime:
    """A naive local wall time as naive UTC (what a landing reads from a file's mtime)."""
    return aware(local).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(instant: dt.datetime) -> dt.datetime:
    """An aware instant (any offset) as the network's naive local wall time; a naive value is
    taken as local already."""
    if instant.tzinfo is None:
        return instant
    return instant.astimezone(NETWORK_ZONE).replace(tzinfo=None)


def epoch(local: dt.datetime) -> float:
    """POSIX timestamp of a naive local wall time (for os.utime)."""
    return aware(local).timestamp()


def stamp(local: dt.datetime) -> str:
    """ISO 8601 with the local UTC offset, seconds precision (truth files)."""
    return aware(local).isoformat(timespec="seconds")
