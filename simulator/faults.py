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
- out_of_order (reorder): an SIU file held back and delivered days later, after files that
  carry later events (S13 / S14 / S15 / S26) of its appointments; one row per overtaken
  message (a late SIU file gets these rows too);
- late_file (late): a file dated in the last days of a month delivered after month end;
- malformed (dead_letter): an extra file (`<stem>_err<ext>`) with exactly one malformed copy
  of a real message (variant: truncated, wrong_separators, invalid_code, bad_encoding) under
  fresh control numbers;
- unknown_facility (exception): an extra HL7 message in a file, a copy of a real one with
  every occurrence of its facility code replaced by one absent from the master data (a
  phantom appointment under a fresh MSH-10). It is well-formed, so it lands; the unmapped
  facility is a master-data exception for a person (DESIGN §5), not a dead letter.

Guarantees:
- The truth KPIs never depend on a faulty message: duplicates, malformed and unknown-facility
  messages are *extra* copies, never the only carrier of a simulated event; late and
  out-of-order files are moved (renamed, delivered later), their content untouched.
- `FaultParams.none()` passes every file through unchanged (same names, same bytes).
- Decisions are drawn from a random stream per (seed, folder, file name): deterministic, and
  independent of the order and number of other files and formats.
- A renamed late / out-of-order file carries its delivery date in the name's date position
  (`SIU_BRU_20260112_orig20260109.hl7`), so name order and delivery order agree.
- Every written file's modification time is its simulated delivery time (`delivered_at`);
  the integration truth (received / dead-lettered messages per source and delivery day,
  transaction latency = delivery time - source event time) is computed from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from simulator import fileformats as ff
from simulator.streams import stream

FAULT_COLUMNS = ("fault_id", "kind", "variant", "folder", "file", "locator",
                 "expected_handling", "original_file", "delivered_at", "detail")
HANDLING = {"duplicate_file": "duplicate", "resent_835": "duplicate",
            "duplicate_message": "duplicate", "out_of_order": "reorder", "late_file": "late",
            "malformed": "dead_letter", "unknown_facility": "exception"}
# folders the fault layer never touches (master data extracts are append-only snapshots)
UNFAULTED_FOLDERS = frozenset({"truth", "erp_master"})
MALFORMED_VARIANTS = {
    "hl7": ("truncated", "wrong_separators", "invalid_code", "bad_encoding"),
    "x12": ("truncated", "wrong_separators", "invalid_code", "bad_encoding"),
    "ndjson": ("truncated", "wrong_separators", "invalid_code", "bad_encoding"),
    "json": ("truncated", "wrong_separators", "bad_encoding"),
    "csv": ("truncated", "wrong_separators", "bad_encoding"),
    "other": ("bad_encoding",),
}
BAD_LETTER = "\u00d1"  # written as the latin-1 byte 0xD1: not valid UTF-8 before ASCII
# (segment, element) of a coded element per X12 transaction, set to a code no list holds
X12_CODED = (("CLP", 2), ("BHT", 2), ("IK5", 1), ("AK9", 1), ("BPR", 1))
INVALID_STATUS = "ZZ_NOT_A_STATUS"


@dataclass(frozen=True)
class FaultParams:
    """Fault knobs; rates are probabilities per file unless they say per message."""

    duplicate_file_rate: float = 0.005
    resent_835_rate: float = 0.03  # per 835 file
    duplicate_message_rate: float = 0.001  # per HL7 message / NDJSON line
    out_of_order_rate: float = 0.01  # per HL7 SIU file
    late_file_rate: float = 0.05  # per file dated in the last `month_end_days` of a month
    malformed_rate: float = 0.005
    unknown_facility_rate: float = 0.0005  # per HL7 message
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
    """One file to write: name inside its folder, bytes, simulated delivery time."""

    name: str
    data: bytes
    delivered_at: dt.datetime


@dataclass
class _Held:
    file: str
    original: str
    delivered_at: dt.datetime
    event_time: dt.datetime
    control_id: str


@dataclass
class IntegrationStats:
    """Received / dead-lettered messages per (source, delivery day); latencies per source."""

    received: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    dead_lettered: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    latency_minutes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def _stamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


class FaultInjector:
    """Applies FaultParams to each file as it is rendered; collects the fault rows and the
    integration statistics. Feed every folder's files in the writer's order (SIU: by facility
    and day), then read `rows` and `stats`."""

    def __init__(self, params: FaultParams, seed: int, known_facilities: Iterable[str],
                 fallback_time: dt.datetime) -> None:
        self.params = params
        self.seed = seed
        self.known = frozenset(known_facilities)
        self.fallback_time = fallback_time
        self.rows: list[dict[str, str]] = []
        self.stats = IntegrationStats()
        self._held: dict[str, dict[str, _Held]] = defaultdict(dict)  # folder -> appointment

    # ---------------------------------------------------------------- bookkeeping
    def _record(self, kind: str, folder: str, file: str, *, locator: str = "",
                variant: str = "", original: str = "", delivered: dt.datetime | None = None,
                detail: str = "") -> None:
        self.rows.append({
            "fault_id": f"FLT{len(self.rows) + 1:06d}", "kind": kind, "variant": variant,
            "folder": folder, "file": file, "locator": locator,
            "expected_handling": HANDLING[kind], "original_file": original,
            "delivered_at": _stamp(delivered) if delivered else "", "detail": detail})

    def _count(self, folder: str, delivered: dt.datetime, messages: int, dead: int = 0) -> None:
        day = delivered.date().isoformat()
        self.stats.received[(folder, day)] += messages
        if dead:
            self.stats.dead_lettered[(folder, day)] += dead

    # ---------------------------------------------------------------- timing
    def _nominal(self, name: str, times: list[dt.datetime | None]) -> dt.datetime:
        known = [t for t in times if t is not None]
        if known:
            return max(known)
        _, day = ff.name_date(name)
        if day is not None:
            return dt.datetime.combine(day, dt.time(23, 0))
        return self.fallback_time

    # ---------------------------------------------------------------- the layer
    def process(self, folder: str, name: str, text: str) -> list[Delivery]:
        """The files to write for one rendered file (the file itself, possibly renamed or
        with extra messages, plus any extra copies)."""
        fmt = ff.detect(name, text)
        times = ff.message_times(fmt, text)
        rng = stream(self.seed, "faults", folder, name)
        delivered = self._nominal(name, times) + dt.timedelta(minutes=rng.randint(5, 90))
        if folder in UNFAULTED_FOLDERS or not self.params.enabled:
            self._after_delivery(folder, name, fmt, text, delivered)
            self._count(folder, delivered, len(times))
            self._latencies(folder, delivered, times)
            return [Delivery(name, text.encode("utf-8"), delivered)]
        p = self.params
        final_name, final_delivered, held = name, delivered, False
        # moves: out of order (SIU) or late (month end); content untouched
        if fmt == "hl7" and rng.random() < p.out_of_order_rate:
            final_delivered = delivered + dt.timedelta(days=rng.randint(*p.hold_days))
            final_name, held = _renamed(name, final_delivered), True
        else:
            _, day = ff.name_date(name)
            month_end = _month_end(day) if day is not None else None
            if (day is not None and month_end is not None
                    and (month_end - day).days < p.month_end_days
                    and rng.random() < p.late_file_rate):
                final_delivered = dt.datetime.combine(
                    month_end + dt.timedelta(days=rng.randint(*p.late_days)),
                    dt.time(rng.randint(7, 18), rng.randint(0, 59)))
                final_name = _renamed(name, final_delivered)
                held = fmt == "hl7"  # a late SIU file is overtaken too: listed as reorders
                self._record("late_file", folder, final_name, locator="*", original=name,
                             delivered=final_delivered,
                             detail=f"dated {day.isoformat()}, delivered after month end")
        self._after_delivery(folder, final_name, fmt, text, final_delivered)
        if held:
            self._hold(folder, name, final_name, final_delivered, text)
        self._latencies(folder, final_delivered, times)
        # extra messages inside the file
        content, extra = self._in_file(folder, final_name, fmt, text, rng, final_delivered)
        self._count(folder, final_delivered, len(times) + extra)
        data = content.encode("utf-8")
        out = [Delivery(final_name, data, final_delivered)]
        stem, ext = ff.split_name(final_name)
        if rng.random() < p.duplicate_file_rate:
            copy = Delivery(f"{stem}_dup{ext}", data,
                            final_delivered + dt.timedelta(minutes=rng.randint(10, 600)))
            out.append(copy)
            self._record("duplicate_file", folder, copy.name, locator="*", original=final_name,
                         delivered=copy.delivered_at, detail="byte-identical copy")
            # a byte-identical re-delivery: a duplicate as a whole (its dead letters too)
            self._count(folder, copy.delivered_at, len(times) + extra)
        if fmt == "x12" and _is_835(text) and rng.random() < p.resent_835_rate:
            resent, changes = resend_x12(text, rng)
            copy = Delivery(f"{stem}_resend{ext}", resent.encode("utf-8"),
                            final_delivered + dt.timedelta(days=rng.randint(1, 10)))
            out.append(copy)
            for old, new in changes:
                self._record("resent_835", folder, copy.name, locator=new, original=final_name,
                             delivered=copy.delivered_at,
                             detail=f"same business content as {old}")
            self._count(folder, copy.delivered_at, len(times))
        if rng.random() < p.malformed_rate and times:
            variant = rng.choice(malformed_variants(fmt, text))
            body, locator = malformed_message(fmt, text, variant, rng)
            copy = Delivery(f"{stem}_err{ext}", body,
                            final_delivered + dt.timedelta(minutes=rng.randint(1, 120)))
            out.append(copy)
            self._record("malformed", folder, copy.name, variant=variant, locator=locator,
                         original=final_name, delivered=copy.delivered_at,
                         detail="one malformed copy of a message of the original file")
            self._count(folder, copy.delivered_at, 1, 1)
        return out

    def _latencies(self, folder: str, delivered: dt.datetime,
                   times: list[dt.datetime | None]) -> None:
        target = self.stats.latency_minutes[folder]
        target.extend((delivered - t).total_seconds() / 60 for t in times if t is not None)

    def _in_file(self, folder: str, name: str, fmt: str, text: str, rng: random.Random,
                 delivered: dt.datetime) -> tuple[str, int]:
        """Duplicate and unknown-facility messages: (content, extra messages)."""
        p = self.params
        if fmt == "hl7":
            messages = ff.hl7_messages(text)
        elif fmt == "ndjson":
            messages = text.splitlines(keepends=True)
        else:
            return text, 0
        out: list[str] = []
        extra = 0
        pending: list[tuple[int, int, str]] = []  # (emit after this index, original, message)
        for index, message in enumerate(messages):
            out.append(message)
            if fmt == "hl7" and rng.random() < p.unknown_facility_rate:
                phantom, locator = self._unknown_facility(message, rng)
                if phantom:  # well-formed: it lands (a master-data exception, not dead)
                    out.append(phantom)
                    extra += 1
                    self._record("unknown_facility", folder, name, locator=locator,
                                 delivered=delivered, detail=f"message {len(out)} of the file")
            if (message.strip() and rng.random() < p.duplicate_message_rate
                    and message.endswith("\n")):  # a whole line / message, never glued
                pending.append((index + rng.randint(0, 3), index, message))
            for item in [item for item in pending if item[0] <= index]:
                pending.remove(item)
                out.append(item[2])
                extra += 1
                self._duplicate_row(folder, name, fmt, item[1], item[2], len(out), delivered)
        for _, original, message in pending:  # the file ended first
            out.append(message)
            extra += 1
            self._duplicate_row(folder, name, fmt, original, message, len(out), delivered)
        return "".join(out), extra

    def _duplicate_row(self, folder: str, name: str, fmt: str, original: int, message: str,
                       position: int, delivered: dt.datetime) -> None:
        locator = (f"MSH-10={ff.hl7_field(message, 'MSH', 10)}" if fmt == "hl7"
                   else f"line={position}")  # NDJSON: the copy's line in the delivered file
        self._record("duplicate_message", folder, name, locator=locator, delivered=delivered,
                     detail=f"message {original + 1} repeated as message {position}")

    def _unknown_facility(self, message: str, rng: random.Random) -> tuple[str, str]:
        code = ff.hl7_field(message, "MSH", 4)
        if not code:
            return "", ""
        unknown = code
        while unknown in self.known or unknown == code:
            unknown = "X" + "".join(rng.choice("QWZ") for _ in range(max(len(code) - 1, 2)))
        phantom = message.replace(code, unknown)
        control = ff.hl7_field(phantom, "MSH", 10)
        phantom = phantom.replace(f"|{control}|", f"|{control}U|", 1)
        return phantom, f"MSH-10={control}U;MSH-4={unknown}"

    # ---------------------------------------------------------------- out of order
    def _hold(self, folder: str, original: str, name: str, delivered: dt.datetime,
              text: str) -> None:
        for message in ff.hl7_messages(text):
            appointment = ff.hl7_field(message, "SCH", 2)
            event = ff.hl7_time(ff.hl7_field(message, "MSH", 7))
            if appointment and event:
                self._held[folder][appointment] = _Held(
                    name, original, delivered, event, ff.hl7_field(message, "MSH", 10))

    def _after_delivery(self, folder: str, name: str, fmt: str, text: str,
                        delivered: dt.datetime) -> None:
        """A later event of a held appointment delivered before the held file: reorder."""
        held = self._held.get(folder)
        if not held or fmt != "hl7":
            return
        for message in ff.hl7_messages(text):
            appointment = ff.hl7_field(message, "SCH", 2)
            entry = held.get(appointment)
            if entry is None or entry.file == name:
                continue
            event = ff.hl7_time(ff.hl7_field(message, "MSH", 7))
            if event and event > entry.event_time and delivered < entry.delivered_at:
                self._record("out_of_order", folder, entry.file,
                             locator=f"SCH-2={appointment};MSH-10={entry.control_id}",
                             original=entry.original, delivered=entry.delivered_at,
                             detail=(f"overtaken by MSH-10="
                                     f"{ff.hl7_field(message, 'MSH', 10)} in {name}"))
                del held[appointment]


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


def _is_835(text: str) -> bool:
    layout = ff.x12_layout(text)
    return f"{layout.terminator}\nST{layout.element}835{layout.element}" in text or (
        f"{layout.terminator}ST{layout.element}835{layout.element}" in text)


def resend_x12(text: str, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """The same interchange under new control numbers: ISA13 / IEA02, GS06 / GE02,
    ST02 / SE02; every other byte identical. Returns the text and, per transaction,
    (old locator, new locator)."""
    layout = ff.x12_layout(text)
    isa13 = f"{rng.randrange(10**8, 10**9):09d}"
    gs06 = str(int(isa13))
    base = rng.randrange(1000, 8000)
    pieces = text.split(layout.terminator)
    changes: list[tuple[str, str]] = []
    old_isa = old_gs = ""
    st_map: dict[str, str] = {}
    for i, piece in enumerate(pieces):
        lead = piece[: len(piece) - len(piece.lstrip())]
        elements = piece.strip().split(layout.element)
        tag = elements[0]
        if tag == "ISA":
            old_isa, elements[13] = elements[13], isa13
        elif tag == "IEA":
            elements[2] = isa13
        elif tag == "GS":
            old_gs, elements[6] = elements[6], gs06
        elif tag == "GE":
            elements[2] = gs06
        elif tag == "ST":
            new = f"{base + len(st_map) + 1:04d}"
            st_map[elements[2]] = new
            changes.append((f"ISA13={old_isa};GS06={old_gs};ST02={elements[2]}",
                            f"ISA13={isa13};GS06={gs06};ST02={new}"))
            elements[2] = new
        elif tag == "SE":
            elements[2] = st_map.get(elements[2], elements[2])
        else:
            continue
        pieces[i] = lead + layout.element.join(elements)
    return layout.terminator.join(pieces), changes


def _bad_bytes(text: str, start: int = 40) -> bytes:
    """The text with one letter of a name-like word replaced by a latin-1 encoded letter."""
    found = re.search(r"[A-Z]{3,}", text[start:])
    position = start + found.start() + 1 if found else len(text) // 2
    return (text[:position] + BAD_LETTER + text[position + 1:]).encode("latin-1",
                                                                         errors="replace")


def _x12_single(text: str, rng: random.Random) -> tuple[list[str], X12Parts]:
    """One random transaction of the interchange in its own envelope (fresh controls)."""
    layout = ff.x12_layout(text)
    segments = ff.x12_segments(text)
    isa, gs = segments[0], next(s for s in segments if s.startswith("GS" + layout.element))
    starts = [i for i, s in enumerate(segments) if s.startswith("ST" + layout.element)]
    start = rng.choice(starts)
    end = next(i for i in range(start, len(segments)) if segments[i].startswith("SE"))
    body = segments[start:end + 1]
    isa13 = f"{rng.randrange(10**8, 10**9):09d}"
    isa_e = isa.split(layout.element)
    isa_e[13] = isa13
    gs_e = gs.split(layout.element)
    gs_e[6] = str(int(isa13))
    e = layout.element
    return ([e.join(isa_e), e.join(gs_e), *body, f"GE{e}1{e}{int(isa13)}",
             f"IEA{e}1{e}{isa13}"],
            X12Parts(layout, isa13, body[0].split(e)[2]))


@dataclass(frozen=True)
class X12Parts:
    layout: ff.X12Layout
    isa13: str
    st02: str


def malformed_message(fmt: str, text: str, variant: str,
                      rng: random.Random) -> tuple[bytes, str]:
    """(file bytes holding exactly one malformed message, its locator)."""
    if fmt == "hl7":
        message = rng.choice(ff.hl7_messages(text))
        control = ff.hl7_field(message, "MSH", 10)
        message = message.replace(f"|{control}|", f"|{control}E|", 1)
        locator = f"MSH-10={control}E"
        if variant == "truncated":  # cut inside SCH: no PID / PV1 / AIx, SCH incomplete
            cut = message.index("\rSCH|") + 12
            return (message[:cut] + "\n").encode(), locator
        if variant == "wrong_separators":  # MSH-1 declares '|', the fields use '#'
            return ("MSH|" + message[4:].replace("|", "#")).encode(), locator
        if variant == "invalid_code":  # trigger event no HL7 table 0003 holds
            trigger = ff.hl7_field(message, "MSH", 9).split("^")[1]
            return message.replace(f"SIU^{trigger}^SIU_{trigger}", "SIU^S99^SIU_S99",
                                   1).encode(), locator
        return _bad_bytes(message), locator
    if fmt == "x12":
        segments, parts = _x12_single(text, rng)
        e, t = parts.layout.element, parts.layout.terminator
        locator = f"ISA13={parts.isa13};ST02={parts.st02}"
        if variant == "truncated":  # cut inside the transaction: no SE / GE / IEA
            keep = segments[: max(3, len(segments) * 2 // 3)]
            last = keep[-1]
            keep[-1] = last[: max(3, len(last) // 2)]
            return "".join(s + t + "\n" for s in keep[:-1]).encode() + keep[-1].encode(), locator
        if variant == "wrong_separators":  # ISA declares '*', the body uses '|'
            body = [segments[0]] + [s.replace(e, "|") for s in segments[1:]]
            return "".join(s + t + "\n" for s in body).encode(), locator
        if variant == "invalid_code":
            for tag, index in X12_CODED:
                found = next((i for i, s in enumerate(segments) if s.startswith(tag + e)), None)
                if found is not None:
                    elements = segments[found].split(e)
                    if len(elements) > index:
                        elements[index] = "ZZ"
                        segments[found] = e.join(elements)
                        locator += f";{tag}{index:02d}=ZZ"
                        break
            return "".join(s + t + "\n" for s in segments).encode(), locator
        return _bad_bytes("".join(s + t + "\n" for s in segments), start=110), locator
    if fmt == "ndjson":
        lines = [line for line in text.splitlines() if line.strip()]
        index = rng.randrange(len(lines))
        line, locator = lines[index], f"line={index + 1}"
        if variant == "truncated":
            return (line[: len(line) // 2] + "\n").encode(), locator
        if variant == "wrong_separators":
            return (line.replace('":', '"=') + "\n").encode(), locator
        if variant == "invalid_code":
            bad, n = re.subn(r'"status"\s*:\s*"[^"]*"', '"status": "not-a-status"', line,
                             count=1)
            if not n:
                bad = line.replace('"resourceType"', '"resourceType_"', 1)
            return (bad + "\n").encode(), locator
        return _bad_bytes(line + "\n"), locator
    if fmt == "csv":
        lines = text.splitlines(keepends=True)
        rows = [line for line in lines[1:] if line.strip()]
        index = rng.randrange(len(rows))
        row, locator = rows[index], f"row={index + 1}"
        if variant == "truncated":
            cut = row.rfind(",", 0, len(row) // 2)
            row = row[: max(cut, 1)] + "\n"
        elif variant == "invalid_code":  # a status no vocabulary holds
            column = _status_column(text)
            cells = next(csv.reader(io.StringIO(row)))
            cells[column or 0] = INVALID_STATUS
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(cells)
            row = buffer.getvalue()
            locator += f";column={column}"
        elif variant == "wrong_separators":
            row = row.replace(",", ";")
        else:
            return _bad_bytes(lines[0] + row), locator
        return (lines[0] + row).encode(), locator
    if fmt == "json":
        if variant == "truncated":
            return text[: len(text) // 2].encode(), "document"
        if variant == "wrong_separators":
            return text.replace('":', '"=').encode(), "document"
    return _bad_bytes(text), "file"


def malformed_variants(fmt: str, text: str) -> tuple[str, ...]:
    """The malformations that apply to a file (CSV: an invalid code needs a status column)."""
    variants = MALFORMED_VARIANTS[fmt]
    if fmt == "csv" and _status_column(text) is not None:
        variants = (*variants, "invalid_code")
    return variants


def _status_column(text: str) -> int | None:
    header = next(csv.reader(io.StringIO(text)), [])
    return ff.csv_column(header, "status")
