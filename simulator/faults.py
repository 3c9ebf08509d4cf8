"""Delivery faults: a post-processing layer over the writers' output, file by file, so it
applies to every format (HL7, X12, FHIR NDJSON, CSV, BAI2, ...) without the writers knowing.

Every injected fault is a row of `truth/faults.csv` (FAULT_COLUMNS) with the handling the
pipeline owes it (DESIGN §3):

kinds (expected handling):
- duplicate_file (duplicate): a byte-identical copy of a file under another name
  (`<stem>_dup<ext>`);
- resent_835 (duplicate): a copy of an 835 with new ISA13 / GS06 / ST02 (and IEA02 / GE02 /
  SE02), business content identical (`<stem>_resend<ext>`); one row per transaction;
- duplicate_message (duplicate): an HL7 message (or NDJSON line) repeated byte-identical
  later in its file;
- out_of_order (reorder): a file of status events (HL7 SIU, FHIR Appointment export, vendor
  CSV, 277CA) held back and delivered days later, after files that carry later events of the
  same appointments / claims; one row per overtaken event (a late file gets these rows too);
- late_file (late): a file dated in the last days of a month delivered after month end
  (variant `held_back`: a file held back out of order that no later event overtook);
- malformed (dead_letter): an extra file (`<stem>_err<ext>`) with exactly one malformed copy
  of a real message (variant: truncated, wrong_separators, invalid_code, bad_encoding) under
  fresh control numbers;
- unknown_facility (exception): a phantom appointment, a copy of a real scheduling message
  whose facility code is replaced by one absent from the master data (simulator.
  fault_phantoms): an extra HL7 message or vendor CSV row in the file, or a FHIR export of
  the unknown facility (`<unknown>/<date>/Appointment.ndjson`). It is well-formed, so it
  lands; the unmapped facility is a master-data exception for a person (DESIGN §5), not a
  dead letter.

Guarantees:
- The truth KPIs never depend on a faulty message: duplicates, malformed and unknown-facility
  messages are *extra* copies, never the only carrier of a simulated event; late and
  out-of-order files are moved (renamed, delivered later), their content untouched.
- `FaultParams.none()` passes every file through unchanged (same names, same bytes).
- Decisions are drawn from a random stream per (seed, folder, file name): deterministic, and
  independent of the order and number of other files and formats.
- A renamed late / out-of-order file carries its delivery date in the name's date position
  (`SIU_BRU_20260112_orig20260109.hl7`), so name order and delivery order agree; a file dated
  by its folder only gets `_late<date>` (the folder is its extract / export date).
- Every written file's modification time is its simulated delivery time (`delivered_at`, the
  network's local wall time, written as the true UTC instant: simulator.clock); the
  integration truth (received / dead-lettered messages per source and UTC delivery day,
  transaction latency = delivery time - source event time in real minutes) is computed from
  it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from simulator import fileformats as ff
from simulator.clock import stamp, to_utc
from simulator.fault_copies import (
    MALFORMED_VARIANTS as MALFORMED_VARIANTS,
)
from simulator.fault_copies import (
    is_835,
    malformed_message,
    malformed_variants,
    resend_x12,
)
from simulator.fault_order import StatusOrder
from simulator.fault_phantoms import (
    facility_of,
    hl7_phantom,
    replace_facility,
    shifted_code,
    unknown_code,
)
from simulator.streams import stream

FAULT_COLUMNS = ("fault_id", "kind", "variant", "folder", "file", "locator",
                 "expected_handling", "original_file", "delivered_at", "detail")
HANDLING = {"duplicate_file": "duplicate", "resent_835": "duplicate",
            "duplicate_message": "duplicate", "out_of_order": "reorder", "late_file": "late",
            "malformed": "dead_letter", "unknown_facility": "exception"}
# folders the fault layer never touches (master data extracts are append-only snapshots)
UNFAULTED_FOLDERS = frozenset({"truth", "erp_master"})
# minutes between a file's last source event and its delivery: our own 837 batches are
# archived to landing as they are sent (before the clearinghouse's 999 comes back)
DELIVERY_MINUTES = {"x12_837": (1, 15)}
DEFAULT_DELIVERY_MINUTES = (5, 90)
MONTHLY_LEAD_DAYS = 7  # a monthly extract (schedule templates) is published before its month


@dataclass(frozen=True)
class FaultParams:
    """Fault knobs; rates are probabilities per file unless they say per message."""

    duplicate_file_rate: float = 0.005
    resent_835_rate: float = 0.03  # per 835 file
    duplicate_message_rate: float = 0.001  # per HL7 message / NDJSON line
    # per status-event file: HL7 SIU, FHIR Appointment export, vendor CSV, 277CA
    out_of_order_rate: float = 0.01
    late_file_rate: float = 0.05  # per file dated in the last `month_end_days` of a month
    malformed_rate: float = 0.005
    # per scheduling message: HL7 SIU message, FHIR Appointment line, vendor CSV row
    unknown_facility_rate: float = 0.0005
    month_end_days: int = 3
    hold_days: tuple[int, int] = (2, 5)  # out-of-order delivery delay
    late_days: tuple[int, int] = (1, 6)  # days after month end

    @classmethod
    def none(cls) -> FaultParams:
        """Every fault off: the writers' output passes through unchanged."""
        return cls(**{f.name: 0.0 for f in fields(cls) if f.name.endswith("_rate")})

    @property
    def enabled(self) -> bool:
        return any(getattr(self, f.name) > 0 for f in fields(self) if f.name.endswith("_rate"))


@dataclass(frozen=True)
class Delivery:
    """One file to write: name inside its folder, bytes, simulated delivery time (local wall
    time; its UTC instant becomes the file's modification time)."""

    name: str
    data: bytes
    delivered_at: dt.datetime


@dataclass
class IntegrationStats:
    """Received / dead-lettered messages per (source, UTC delivery day); latencies (real
    minutes) per source."""

    received: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    dead_lettered: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    latency_minutes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class InFile:
    """A file after its in-file faults: content, extra messages inserted, event times of the
    extra messages that land (phantoms), and phantom exports to deliver next to it."""

    content: str
    extra: int = 0
    landed_times: list[dt.datetime | None] = field(default_factory=list)
    exports: dict[str, list[str]] = field(default_factory=dict)  # name -> lines


@dataclass(frozen=True)
class _Messages:
    header: str  # a CSV header ('' for HL7 / NDJSON)
    items: list[str]
    phantoms: bool  # whether unknown-facility phantoms apply
    duplicates: bool  # whether duplicate messages apply


class FaultInjector:
    """Applies FaultParams to each file as it is rendered; collects the fault rows and the
    integration statistics. Feed every folder's files in the writer's order (SIU: by facility
    and day), call `finish()`, then read `rows` and `stats`."""

    def __init__(self, params: FaultParams, seed: int, known_facilities: Iterable[str],
                 fallback_time: dt.datetime) -> None:
        self.params = params
        self.seed = seed
        self.known = frozenset(known_facilities)
        self.fallback_time = fallback_time
        self.rows: list[dict[str, str]] = []
        self.stats = IntegrationStats()
        self.order = StatusOrder()

    # ---------------------------------------------------------------- bookkeeping
    def _record(self, kind: str, folder: str, file: str, *, locator: str = "",
                variant: str = "", original: str = "", delivered: dt.datetime | None = None,
                detail: str = "") -> None:
        self.rows.append({
            "fault_id": f"FLT{len(self.rows) + 1:06d}", "kind": kind, "variant": variant,
            "folder": folder, "file": file, "locator": locator,
            "expected_handling": HANDLING[kind], "original_file": original,
            "delivered_at": stamp(delivered) if delivered else "", "detail": detail})

    def _count(self, folder: str, delivered: dt.datetime, messages: int, dead: int = 0) -> None:
        day = to_utc(delivered).date().isoformat()
        self.stats.received[(folder, day)] += messages
        if dead:
            self.stats.dead_lettered[(folder, day)] += dead

    def _latencies(self, folder: str, delivered: dt.datetime,
                   times: list[dt.datetime | None]) -> None:
        target = self.stats.latency_minutes[folder]
        arrived = to_utc(delivered)
        target.extend((arrived - to_utc(t)).total_seconds() / 60 for t in times
                      if t is not None)

    # ---------------------------------------------------------------- timing
    def _nominal(self, name: str, times: list[dt.datetime | None]) -> dt.datetime:
        """The time a file is complete: its last source event, else the evening of the date
        in its name, else a week before the month it is named for, else the window end."""
        known = [t for t in times if t is not None]
        if known:
            return max(known)
        _, day = ff.name_date(name)
        if day is not None:
            return dt.datetime.combine(day, dt.time(23, 0))
        month = ff.name_month(name)
        if month is not None:
            return dt.datetime.combine(month - dt.timedelta(days=MONTHLY_LEAD_DAYS),
                                       dt.time(18, 0))
        return self.fallback_time

    # ---------------------------------------------------------------- the layer
    def process(self, folder: str, name: str, text: str) -> list[Delivery]:
        """The files to write for one rendered file (the file itself, possibly renamed or
        with extra messages, plus any extra copies and phantom exports)."""
        fmt = ff.detect(name, text)
        times = ff.message_times(fmt, text)
        rng = stream(self.seed, "faults", folder, name)
        low, high = DELIVERY_MINUTES.get(folder, DEFAULT_DELIVERY_MINUTES)
        delivered = self._nominal(name, times) + dt.timedelta(minutes=rng.randint(low, high))
        status = ff.carries_status(fmt, name, text)
        if folder in UNFAULTED_FOLDERS or not self.params.enabled:
            self._after_delivery(folder, name, fmt, text, status, delivered)
            self._count(folder, delivered, len(times))
            self._latencies(folder, delivered, times)
            return [Delivery(name, text.encode("utf-8"), delivered)]
        final_name, final_delivered, held = self._move(folder, name, status, rng, delivered)
        self._after_delivery(folder, final_name, fmt, text, status, final_delivered, name)
        if held:
            self.order.hold_events(folder, final_name, name, final_delivered,
                                   ff.status_events(fmt, name, text))
        self._latencies(folder, final_delivered, times)
        inserted = self._in_file(folder, final_name, fmt, text, status, rng, final_delivered)
        self._count(folder, final_delivered, len(times) + inserted.extra)
        self._latencies(folder, final_delivered, inserted.landed_times)
        data = inserted.content.encode("utf-8")
        out = [Delivery(final_name, data, final_delivered)]
        out += self._exports(folder, inserted, final_delivered)
        out += self._copies(folder, final_name, fmt, text, data, len(times) + inserted.extra,
                            rng, final_delivered)
        return out

    def finish(self) -> None:
        """After the last file: a file held back out of order that no later event overtook
        was only delivered late (listed as such)."""
        for folder, file, held in self.order.never_overtaken():
            self._record("late_file", folder, file, variant="held_back", locator="*",
                         original=held.original, delivered=held.delivered_at,
                         detail=(f"held back {held.days} days; no later status event of its "
                                 "records arrived before it"))
        self.order.files.clear()

    def _move(self, folder: str, name: str, status: bool, rng: random.Random,
              delivered: dt.datetime) -> tuple[str, dt.datetime, bool]:
        """(name, delivery time, watched for overtaking): out of order (a status file held
        back) or late (dated at month end, delivered after it); content untouched."""
        p = self.params
        if status and rng.random() < p.out_of_order_rate:
            days = rng.randint(*p.hold_days)
            held_until = delivered + dt.timedelta(days=days)
            final_name = _renamed(name, held_until)
            self.order.hold_file(folder, final_name, name, held_until, days)
            return final_name, held_until, True
        _, day = ff.name_date(name)
        if (day is None or (_month_end(day) - day).days >= p.month_end_days
                or rng.random() >= p.late_file_rate):
            return name, delivered, False
        late = dt.datetime.combine(_month_end(day) + dt.timedelta(days=rng.randint(*p.late_days)),
                                   dt.time(rng.randint(7, 18), rng.randint(0, 59)))
        final_name = _renamed(name, late)
        self._record("late_file", folder, final_name, locator="*", original=name, delivered=late,
                     detail=f"dated {day.isoformat()}, delivered after month end")
        return final_name, late, status  # a late status file can be overtaken too

    def _after_delivery(self, folder: str, name: str, fmt: str, text: str, status: bool,
                        delivered: dt.datetime, original: str | None = None) -> None:
        """Held events that this file's later events overtake: one out_of_order row each."""
        if not status or not self.order.watching(folder):
            return
        events = ff.status_events(fmt, original or name, text)
        for found in self.order.overtakings(folder, name, delivered, events):
            held = found.held
            self._record("out_of_order", folder, held.file, locator=held.event.locator,
                         original=held.original, delivered=held.delivered_at,
                         detail=f"overtaken by {found.later.locator} in {found.later_file}")

    def _copies(self, folder: str, final_name: str, fmt: str, text: str, data: bytes,
                messages: int, rng: random.Random, delivered: dt.datetime) -> list[Delivery]:
        """Extra copies of the delivered file: a duplicate, an 835 re-send, a malformed copy
        of one of its messages."""
        p = self.params
        out = []
        stem, ext = ff.split_name(final_name)
        if rng.random() < p.duplicate_file_rate:
            copy = Delivery(f"{stem}_dup{ext}", data,
                            delivered + dt.timedelta(minutes=rng.randint(10, 600)))
            out.append(copy)
            self._record("duplicate_file", folder, copy.name, locator="*", original=final_name,
                         delivered=copy.delivered_at, detail="byte-identical copy")
            # a byte-identical re-delivery: a duplicate as a whole (its dead letters too)
            self._count(folder, copy.delivered_at, messages)
        if fmt == "x12" and is_835(text) and rng.random() < p.resent_835_rate:
            resent, changes = resend_x12(text, rng)
            copy = Delivery(f"{stem}_resend{ext}", resent.encode("utf-8"),
                            delivered + dt.timedelta(days=rng.randint(1, 10)))
            out.append(copy)
            for old, new in changes:
                self._record("resent_835", folder, copy.name, locator=new, original=final_name,
                             delivered=copy.delivered_at,
                             detail=f"same business content as {old}")
            self._count(folder, copy.delivered_at, len(changes))
        if rng.random() < p.malformed_rate and messages:
            variant = rng.choice(malformed_variants(fmt, text))
            body, locator = malformed_message(fmt, text, variant, rng)
            copy = Delivery(f"{stem}_err{ext}", body,
                            delivered + dt.timedelta(minutes=rng.randint(1, 120)))
            out.append(copy)
            self._record("malformed", folder, copy.name, variant=variant, locator=locator,
                         original=final_name, delivered=copy.delivered_at,
                         detail="one malformed copy of a message of the original file")
            self._count(folder, copy.delivered_at, 1, 1)
        return out

    # ---------------------------------------------------------------- inside a file
    def _messages(self, name: str, fmt: str, text: str, status: bool) -> _Messages | None:
        if fmt == "hl7":
            return _Messages("", ff.hl7_messages(text), True, True)
        if fmt == "ndjson":
            facility = facility_of(name, self.known)
            return _Messages("", text.splitlines(keepends=True), status and bool(facility),
                             True)
        if fmt == "csv" and status and facility_of(name, self.known):
            lines = text.splitlines(keepends=True)
            return _Messages(lines[0], lines[1:], True, False)
        return None

    def _in_file(self, folder: str, name: str, fmt: str, text: str, status: bool,
                 rng: random.Random, delivered: dt.datetime) -> InFile:
        """Duplicate and unknown-facility messages inserted into (or, FHIR, exported next to)
        the file."""
        p = self.params
        parsed = self._messages(name, fmt, text, status)
        if parsed is None:
            return InFile(text)
        result = InFile(text)
        out: list[str] = [parsed.header] if parsed.header else []
        pending: list[tuple[int, int, str]] = []  # (emit after this index, original, message)
        for index, message in enumerate(parsed.items):
            out.append(message)
            if parsed.phantoms and rng.random() < p.unknown_facility_rate:
                self._phantom(folder, name, fmt, parsed.header, message, rng, delivered,
                              out, result)
            if (parsed.duplicates and message.strip()
                    and rng.random() < p.duplicate_message_rate
                    and message.endswith("\n")):  # a whole line / message, never glued
                pending.append((index + rng.randint(0, 3), index, message))
            for item in [item for item in pending if item[0] <= index]:
                pending.remove(item)
                out.append(item[2])
                result.extra += 1
                self._duplicate_row(folder, name, fmt, item[1], item[2], len(out), delivered)
        for _, original, message in pending:  # the file ended first
            out.append(message)
            result.extra += 1
            self._duplicate_row(folder, name, fmt, original, message, len(out), delivered)
        result.content = "".join(out)
        return result

    def _phantom(self, folder: str, name: str, fmt: str, header: str, message: str,
                 rng: random.Random, delivered: dt.datetime, out: list[str],
                 result: InFile) -> None:
        """An unknown-facility copy of `message`: next to it (HL7, CSV) or in the export of
        the unknown facility (FHIR)."""
        if fmt == "hl7":
            phantom, locator, _ = hl7_phantom(message, self.known, rng)
            if not phantom:
                return
            out.append(phantom)
            detail = f"message {len(out)} of the file"
        else:
            code = facility_of(name, self.known)
            unknown = (shifted_code(code, self.known) if fmt == "ndjson"
                       else unknown_code(code, self.known, rng))
            phantom = replace_facility(message, code, unknown)
            if not phantom.endswith("\n"):
                phantom += "\r\n" if fmt == "csv" else "\n"
            if fmt == "ndjson":  # the facility of a FHIR export is its folder
                export = f"{unknown}/{name.split('/', 1)[1]}"
                lines = result.exports.setdefault(export, [])
                lines.append(phantom)
                identifier = ff.status_events("ndjson", "Appointment.ndjson", phantom)
                key = identifier[0].key if identifier else ""
                self._record("unknown_facility", folder, export,
                             locator=f"line={len(lines)};id={key};facility={unknown}",
                             delivered=delivered, original=name,
                             detail=f"a phantom of line {len(out)} of {name}")
                result.landed_times += ff.message_times("ndjson", phantom)
                return
            out.append(phantom)
            locator = f"row={len(out) - 1};facility={unknown}"  # data rows after the header
            detail = f"data row {len(out) - 1} of the file"
        result.extra += 1
        result.landed_times += ff.message_times(fmt, header + phantom)
        self._record("unknown_facility", folder, name, locator=locator, delivered=delivered,
                     detail=detail)

    def _exports(self, folder: str, inserted: InFile,
                 delivered: dt.datetime) -> list[Delivery]:
        """The phantom FHIR exports of unknown facilities (delivered with the file)."""
        out = []
        for export, lines in inserted.exports.items():
            out.append(Delivery(export, "".join(lines).encode("utf-8"), delivered))
            self._count(folder, delivered, len(lines))
        return out

    def _duplicate_row(self, folder: str, name: str, fmt: str, original: int, message: str,
                       position: int, delivered: dt.datetime) -> None:
        locator = (f"MSH-10={ff.hl7_field(message, 'MSH', 10)}" if fmt == "hl7"
                   else f"line={position}")  # NDJSON: the copy's line in the delivered file
        self._record("duplicate_message", folder, name, locator=locator, delivered=delivered,
                     detail=f"message {original + 1} repeated as message {position}")


# -------------------------------------------------------------------- helpers
def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _renamed(name: str, delivered: dt.datetime) -> str:
    """The delivery date in the name's date position, the original date kept after it."""
    head, _, base = name.rpartition("/")
    prefix = f"{head}/" if head else ""
    found, _ = ff.name_date(base)
    stem, ext = ff.split_name(base)
    if found is None or found.end() > len(stem):
        return f"{prefix}{stem}_late{delivered:%Y%m%d}{ext}"
    token = found.group(0)
    stamp = ff.format_like(token, delivered.date())
    return f"{prefix}{stem[:found.start()]}{stamp}{stem[found.end():]}_orig{token}{ext}"
