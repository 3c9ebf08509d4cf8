"""Out-of-order bookkeeping of the fault layer: status events (simulator.fileformats) of the
files held back, and which later events overtook them (a later event of the same record
delivered before the held file). A held file nothing overtook is only late."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from simulator import fileformats as ff


@dataclass(frozen=True)
class HeldEvent:
    file: str  # the held file as delivered
    original: str  # its name before the move
    delivered_at: dt.datetime
    event: ff.StatusEvent


@dataclass
class HeldFile:
    original: str
    delivered_at: dt.datetime
    days: int  # how long it was held back
    overtaken: bool = False


@dataclass(frozen=True)
class Overtaking:
    """A held event and the later event of the same record delivered before it."""

    held: HeldEvent
    later: ff.StatusEvent
    later_file: str


class StatusOrder:
    """Per folder: the held status events by record key, and the files held back."""

    def __init__(self) -> None:
        self._events: dict[str, dict[str, HeldEvent]] = defaultdict(dict)
        self.files: dict[tuple[str, str], HeldFile] = {}

    def hold_file(self, folder: str, file: str, original: str, delivered_at: dt.datetime,
                  days: int) -> None:
        """A file held back on purpose (out of order), watched for overtaking."""
        self.files[(folder, file)] = HeldFile(original, delivered_at, days)

    def hold_events(self, folder: str, file: str, original: str, delivered_at: dt.datetime,
                    events: list[ff.StatusEvent]) -> None:
        for event in events:  # a record's last event in the file is the one overtaken
            self._events[folder][event.key] = HeldEvent(file, original, delivered_at, event)

    def watching(self, folder: str) -> bool:
        return bool(self._events.get(folder))

    def overtakings(self, folder: str, file: str, delivered_at: dt.datetime,
                    events: list[ff.StatusEvent]) -> list[Overtaking]:
        """The held events that the events of a file delivered at `delivered_at` overtake
        (each held event once: it is then no longer watched)."""
        held = self._events.get(folder)
        found: list[Overtaking] = []
        if not held:
            return found
        for event in events:
            entry = held.get(event.key)
            if entry is None or entry.file == file:
                continue
            if event.time > entry.event.time and delivered_at < entry.delivered_at:
                found.append(Overtaking(entry, event, file))
                del held[event.key]
                if (folder, entry.file) in self.files:
                    self.files[(folder, entry.file)].overtaken = True
        return found

    def never_overtaken(self) -> list[tuple[str, str, HeldFile]]:
        """(folder, file, held) of the files held back that no later event overtook."""
        return [(folder, file, held) for (folder, file), held in self.files.items()
                if not held.overtaken]
