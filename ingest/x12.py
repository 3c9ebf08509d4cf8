"""Streaming X12 tokenizer: separators from the ISA header, segments as lists of elements,
transactions with their envelope values and raw text.

Nothing here raises on bad input: envelope problems come out of `iter_transactions` as
`X12Error` items (one per transaction, or one for the rest of the file when the interchange
header is unreadable) which the readers turn into dead letters.

Speed (docs/decisions/0012): the text of a transaction body is split at once, on the segment
terminator (and the line break after it, in the usual layout) and then each segment on the
element separator, in one list comprehension; only envelope segments are looked at one by one.
In the usual layout one regular expression scan finds the body's end (its SE) and proves that
no segment before it is an envelope segment or has an overlong id. Components are split by the
readers only where they need them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter

_DIGITS_OR_POINT = frozenset("0123456789.")
ISA_LENGTH = 106  # fixed-width ISA segment including its terminator
_LINE_BREAKS = "\r\n"
_TRAILER_IDS = frozenset({"GE", "IEA"})
_ENVELOPE_IDS = frozenset({"SE", "ST", "GS", "GE", "IEA", "ISA"})
_first = itemgetter(0)


class X12ValueError(ValueError):
    """A value inside a transaction is missing or malformed (-> InvalidValue dead letter)."""

    def __init__(self, reason: str, error_class: str = "InvalidValue") -> None:
        super().__init__(reason)
        self.error_class = error_class


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    repetition: str
    segment: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """Envelope values of one transaction (ISA, GS, ST)."""

    sender_id: str  # ISA06 trimmed
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    functional_version: str  # GS08
    transaction_set_id: str  # ST01
    transaction_control_number: str  # ST02
    implementation_reference: str | None  # ST03

    @property
    def version(self) -> str:
        """ST03 when present, else GS08 (the implementation guide the transaction claims)."""
        return self.implementation_reference or self.functional_version


@dataclass(slots=True)
class Transaction:
    envelope: Envelope
    separators: Separators
    segments: list[list[str]]  # ST ... SE, each a list of elements (element 0 = segment id)
    raw: str  # ISA and GS header segments + ST ... SE text: a self-contained replay payload
    index: int  # 0-based position of the transaction in the file


@dataclass(frozen=True, slots=True)
class X12Error:
    error_class: str  # EnvelopeError, Truncated, EncodingError, InvalidValue
    reason: str
    payload: str
    index: int


def coded(value: str | None, allowed: frozenset[str], what: str) -> str:
    """A coded element whose code list is known: anything else is an InvalidValue."""
    if value not in allowed:
        codes = ", ".join(sorted(allowed, key=lambda c: (len(c), c)))
        raise X12ValueError(f"{what} {value!r} is not a valid code ({codes})")
    return value


def decode(data: bytes) -> tuple[str, bool]:
    """Text of the bytes: UTF-8, else latin-1. The flag says the latin-1 fallback was used."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


_CONTROL = frozenset(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))) - set("\r\n\t")


def undecodable(text: str, allowed: str = "") -> str | None:
    """For text decoded by the latin-1 fallback: the first character that shows the bytes are
    not text (a C0 / C1 control character other than line breaks and separators), or None."""
    bad = _CONTROL.difference(allowed)
    return next((ch for ch in text if ch in bad), None)


def read_separators(text: str, pos: int = 0) -> Separators | str:
    """Separators of the ISA starting at `pos`, or the reason it is unreadable."""
    header = text[pos : pos + ISA_LENGTH]
    if len(header) < ISA_LENGTH:
        return f"ISA header is {len(header)} characters long, expected {ISA_LENGTH}"
    element = header[3]
    if element.isalnum() or element.isspace():
        return f"ISA element separator {element!r} (byte 3) is not a delimiter"
    count = header[:-1].count(element)
    if count != 16:
        return (
            f"ISA header has {count} element separators {element!r} in its first "
            f"{ISA_LENGTH - 1} characters, expected 16 (fields not fixed-width)"
        )
    component, segment = header[104], header[105]
    repetition = header.split(element)[11]
    for name, value in (("component (ISA16)", component), ("segment terminator", segment)):
        if value.isalnum() or value == element or value == " ":
            return f"ISA {name} {value!r} is not a delimiter"
    return Separators(element, component, repetition if len(repetition) == 1 else "", segment)


def tokenize(text: str, seps: Separators) -> Iterator[list[str]]:
    """Segments of `text` as element lists (line breaks around terminators are dropped)."""
    element = seps.element
    for raw in text.split(seps.segment):
        raw = raw.strip(_LINE_BREAKS)
        if raw:
            yield raw.split(element)


def _split_usual(run: str, seps: Separators) -> list[list[str]] | None:
    """`_Walker._split` in the usual layout, one line break after each terminator (and none
    elsewhere): split on both at once, no per-piece strip; checked by counting the line
    breaks and terminators. None in any other layout."""
    term = seps.segment
    if "\r" in run or "\n" not in run or term in _LINE_BREAKS:
        return None
    body = run[1:] if run[0] == "\n" else run
    pieces = body.split(term + "\n")
    if len(pieces) - 1 == body.count(term) == body.count("\n"):
        element = seps.element
        return [piece.split(element) for piece in pieces if piece]
    return None


@lru_cache(maxsize=16)
def _usual_stop(terminator: str, element: str) -> re.Pattern[str]:
    """In the usual layout, the first piece that ends a transaction's quick body: an envelope
    segment (group 1: its id and the separator after it) or an id longer than 3 characters
    (`_Walker._usual_body`)."""
    term, sep = re.escape(terminator), re.escape(element)
    return re.compile(
        rf"{term}\n(?:((?:S[ET]|G[SE]|I(?:SA|EA))(?:{sep}|{term}|$))|[^{sep}{term}\n]{{4}})"
    )


def _long_segment_id(segments: list[list[str]]) -> str | None:
    """The first segment id longer than 3 characters (not an X12 segment id), or None. The
    common case (none) is decided by one C-level pass over the ids."""
    if max(map(len, map(_first, segments))) <= 3:
        return None
    return next(seg[0] for seg in segments if len(seg[0]) > 3)


@lru_cache(maxsize=16)
def _envelope_start(terminator: str) -> re.Pattern[str]:
    """A terminator, line breaks, then an envelope segment id (or a longer id starting so)."""
    return re.compile(re.escape(terminator) + r"[\r\n]*(?:S[ET]|G[SE]|I(?:SA|EA))")


class _Interchange:
    """Envelope state while walking one file."""

    def __init__(self, isa: list[str], isa_text: str) -> None:
        self.sender_id = isa[6].strip() if len(isa) > 6 else ""
        self.control_number = isa[13].strip() if len(isa) > 13 else ""
        self.isa_text = isa_text
        self.gs: list[str] | None = None
        self.gs_text = ""


def iter_transactions(data: bytes) -> Iterator[Transaction | X12Error]:
    """Transactions of an X12 file (several interchanges / groups / transactions allowed)."""
    text, fallback = decode(data)
    start = len(text) - len(text.lstrip())
    if not text.startswith("ISA", start):
        yield _no_isa(text, start, fallback)
        return
    index = 0
    pos: int | None = start
    while pos is not None:
        seps = read_separators(text, pos)
        if isinstance(seps, str):
            yield X12Error(
                "EnvelopeError", f"unreadable interchange header: {seps}", text[pos:], index
            )
            return
        walker = _Walker(text, pos, seps, index, fallback)
        yield from walker.run()
        index, pos = walker.index, walker.next_isa


def _no_isa(text: str, start: int, fallback: bool) -> X12Error:
    if fallback and (ch := undecodable(text[:4096])) is not None:
        return X12Error(
            "EncodingError",
            f"file is neither UTF-8 nor text: control byte {ord(ch):#04x} found; no ISA header",
            text,
            0,
        )
    head = text[start : start + 20].replace("\r", "\\r").replace("\n", "\\n")
    where = f"file starts with {head!r}" if head else "file is empty"
    return X12Error("EnvelopeError", f"no ISA interchange header: {where}", text, 0)


class _Walker:
    """Walks the segments of one interchange (and of following interchanges that share its
    separators); stops at an ISA with different separators (`next_isa`)."""

    def __init__(self, text: str, pos: int, seps: Separators, index: int, fallback: bool) -> None:
        self.text, self.pos, self.seps = text, pos, seps
        self.index, self.fallback = index, fallback
        self.next_isa: int | None = None
        self.interchange: _Interchange | None = None
        self.current: list[list[str]] | None = None
        self.current_start = 0  # text offset of the open transaction's ST
        self.end = pos  # text offset after the last segment seen
        self.stray: list[str] = []
        self.stray_binary = False
        self.piece_start = pos  # text offset of the first piece not yet handled
        self.ids_checked = False  # the open transaction's ids were checked by `_body`

    def run(self) -> Iterator[Transaction | X12Error]:
        """The hot loop works per run of ordinary segments: the text between two envelope
        segments is split at once (segments, then elements) and appended to the open
        transaction; only envelope segments (and segments outside a transaction) are looked
        at one by one."""
        text, term, element = self.text, self.seps.segment, self.seps.element
        stop_start: int | None = self.pos  # the first piece: the ISA
        while stop_start is not None:
            stop_end = text.find(term, stop_start)
            stop_end = len(text) if stop_end < 0 else stop_end
            raw = text[stop_start:stop_end]
            clean = raw.strip(_LINE_BREAKS)
            seg = clean.split(element)
            sid = seg[0]
            isa_like = sid.startswith("ISA") and not sid[3:4].isalnum()
            if sid in _ENVELOPE_IDS or isa_like:  # else an ordinary segment starting like one
                if stop_start > self.piece_start:
                    yield from self._ordinary(text[self.piece_start : stop_start - 1])
                self.piece_start = self.end = stop_end + 1
                start = stop_start + len(raw) - len(raw.lstrip(_LINE_BREAKS))
                if isa_like:
                    if self.interchange is not None and read_separators(text, start) != self.seps:
                        yield from self._close_open("the next interchange header (ISA)", start)
                        self.next_isa = start
                        return
                    sid = "ISA"
                yield from self._envelope_segment(sid, seg, clean, start)
            stop_start = self._next_envelope_piece(stop_end)
        if self.piece_start <= len(text):
            yield from self._ordinary(text[self.piece_start :])
        yield from self._close_open("the end of the file", len(text))
        yield from self._flush_stray()

    def _next_envelope_piece(self, after: int) -> int | None:
        """Start offset of the next piece (text between segment terminators) after the one
        ending at `after` that may hold an envelope segment (ISA, GS, ST, SE, GE, IEA): its
        text after line breaks starts with one of those ids. `run` checks each."""
        if self.current is not None and (se_piece := self._body(after)) is not None:
            return se_piece
        term = self.seps.segment
        match = _envelope_start(term).search(self.text, after)
        return None if match is None else self.text.rfind(term, match.start(), match.end()) + 1

    def _body(self, after: int) -> int | None:
        """The quick way through an open transaction: split the text up to the next piece
        starting with `SE*` at once and keep it if none of its segments is an envelope
        segment or has an id longer than 3 characters (then `_check` need not look again).
        Returns that SE piece's offset; None leaves the piece by piece scan to decide."""
        start = self.piece_start
        if start <= after:
            return None  # an ordinary piece was looked at already: not the body's start
        previous = self._usual_body(start)
        if previous is None:
            previous = self._any_body(start)
            if previous is None:
                return None
        self.piece_start = previous + 1
        self.ids_checked = True
        return previous + 1

    def _usual_body(self, start: int) -> int | None:
        """`_body` in the usual layout (one line break after each terminator): one regular
        expression scan finds the first piece that is an envelope segment or has a long id;
        when that is the SE, the text before it is the body, its ids checked by the scan.
        Returns the offset of the terminator before the SE piece, or None."""
        text, seps = self.text, self.seps
        if seps.segment in _LINE_BREAKS:
            return None
        match = _usual_stop(seps.segment, seps.element).search(text, start - 1)
        if match is None or match.group(1) != "SE" + seps.element:
            return None
        previous = match.start()
        segments = _split_usual(text[start:previous], seps) if previous > start else []
        if segments is None:
            return None
        assert self.current is not None
        self.current.extend(segments)
        return previous

    def _any_body(self, start: int) -> int | None:
        """`_body` in any layout: the next `SE*` piece found, the text before it split, its
        ids checked. Returns the offset of the terminator before the SE piece, or None."""
        text, term = self.text, self.seps.segment
        probe = "SE" + self.seps.element
        at = text.find(probe, start)
        while at >= 0:
            previous = text.rfind(term, start - 1, at)  # the SE piece begins after it
            if previous >= 0 and not text[previous + 1 : at].strip(_LINE_BREAKS):
                break
            at = text.find(probe, at + 1)
        else:
            return None
        segments = self._split(text[start:previous]) if previous >= start else []
        ids = set(map(_first, segments))
        if ids and (not ids.isdisjoint(_ENVELOPE_IDS) or max(map(len, ids)) > 3):
            return None
        assert self.current is not None
        self.current.extend(segments)
        return previous

    def _ordinary(self, run: str) -> Iterator[X12Error]:
        """Pieces between two envelope segments: the open transaction's segments, or
        segments outside any transaction."""
        if self.current is not None:
            self.current.extend(self._split(run))
            return
        for piece in run.split(self.seps.segment):
            if clean := piece.strip(_LINE_BREAKS):
                yield from self._add_stray(clean)

    def _split(self, run: str) -> list[list[str]]:
        """Element lists of the segments of `run`, empty pieces dropped: one split of the
        text and one comprehension (the per-segment cost of a bare split)."""
        segments = _split_usual(run, self.seps)
        if segments is not None:
            return segments
        term, element = self.seps.segment, self.seps.element
        pieces = run.split(term)
        if "\n" in run or "\r" in run:  # tolerate line breaks around terminators
            return [clean.split(element) for piece in pieces if (clean := piece.strip("\r\n"))]
        return [piece.split(element) for piece in pieces if piece]

    def _envelope_segment(
        self, sid: str, seg: list[str], raw: str, start: int
    ) -> Iterator[Transaction | X12Error]:
        if sid in ("ISA", "GS", "GE", "IEA", "ST"):
            if self.current is not None:
                yield from self._close_open(f"segment {sid}", start)
            if self.stray:
                yield from self._flush_stray()
        if sid == "ISA":
            self.interchange = _Interchange(seg, raw + self.seps.segment)
        elif sid == "GS" and self.interchange is not None:
            self.interchange.gs = seg
            self.interchange.gs_text = raw + self.seps.segment
        elif sid == "GE" and self.interchange is not None:
            self.interchange.gs = None
        elif sid == "ST":
            self.current, self.current_start = [seg], start
            self.ids_checked = False
        elif sid == "SE":
            yield from self._close(seg, raw)
        elif sid not in _TRAILER_IDS:
            yield from self._add_stray(raw)

    def _head(self) -> str:
        if self.interchange is None:
            return ""
        head = self.interchange.isa_text + "\n"
        if self.interchange.gs is not None:
            head += self.interchange.gs_text + "\n"
        return head

    def _payload(self, raws: list[str]) -> str:
        term = self.seps.segment
        return self._head() + "\n".join(r + term for r in raws)

    def _transaction_text(self, end: int) -> str:
        return self._head() + self.text[self.current_start : end].rstrip()

    def _close_open(self, where: str, end: int) -> Iterator[X12Error]:
        if self.current is None:
            return
        st = self.current[0]
        payload = self._transaction_text(end)
        reason = (
            f"transaction ST02={_get(st, 2)!r} (ST01={_get(st, 1)!r}) has no SE trailer: "
            f"{len(self.current)} segments, cut off at {where}"
        )
        self.current = None
        self.index += 1
        yield X12Error("Truncated", reason, payload, self.index - 1)

    def _add_stray(self, raw: str) -> Iterator[X12Error]:
        """Collect consecutive segments outside transactions; text and binary apart."""
        binary = self.fallback and undecodable(raw, _sep_chars(self.seps)) is not None
        if self.stray and binary != self.stray_binary:
            yield from self._flush_stray()
        self.stray_binary = binary
        self.stray.append(raw)

    def _flush_stray(self) -> Iterator[X12Error]:
        if not self.stray:
            return
        element = self.seps.element
        ids = [r.split(element)[0] for r in self.stray]
        names = ", ".join(dict.fromkeys(_printable_id(i) for i in ids))
        payload = self._payload(self.stray)
        count, self.stray = len(self.stray), []
        where = f"{count} segment(s) outside any transaction before transaction #{self.index}"
        if self.fallback and (ch := undecodable(payload, _sep_chars(self.seps))) is not None:
            reason = f"{where} are not text: control byte {ord(ch):#04x}"
            yield X12Error("EncodingError", reason, payload, self.index)
            return
        other = next((_foreign_separator(i) for i in ids if _foreign_separator(i)), None)
        if other is not None:
            reason = (
                f"separator mismatch: {where} (ids: {names}) use {other!r} where the ISA "
                f"declares the element separator {element!r}"
            )
            yield X12Error("EnvelopeError", reason, payload, self.index)
            return
        yield X12Error("InvalidValue", f"{where} (ids: {names})", payload, self.index)

    def _close(self, se: list[str], raw: str) -> Iterator[Transaction | X12Error]:
        if self.current is None:
            yield from self._add_stray(raw)
            return
        segments = self.current
        segments.append(se)
        self.current = None
        index = self.index
        self.index += 1
        payload = self._transaction_text(self.end)
        problem = self._check(segments, payload)
        if problem is not None:
            yield X12Error(problem[0], problem[1], payload, index)
            return
        assert self.interchange is not None and self.interchange.gs is not None
        yield Transaction(self._envelope(segments[0]), self.seps, segments, payload, index)

    def _check(self, segments: list[list[str]], payload: str) -> tuple[str, str] | None:
        st, se = segments[0], segments[-1]
        st02 = st[2] if len(st) > 2 else ""
        se01, se02 = (se[1] if len(se) > 1 else ""), (se[2] if len(se) > 2 else "")
        if self.interchange is None:
            return "EnvelopeError", f"transaction ST02={st02!r} is outside an interchange (no ISA)"
        if self.interchange.gs is None:
            return "EnvelopeError", f"transaction ST02={st02!r} has no functional group header (GS)"
        if se01 != str(len(segments)):
            return (
                "EnvelopeError",
                f"SE01 segment count {se01!r} does not match the {len(segments)} "
                f"segments of transaction ST02={st02!r}",
            )
        if se02 != st02:
            return "EnvelopeError", f"SE02 {se02!r} does not match ST02 {st02!r}"
        bad = None if self.ids_checked else _long_segment_id(segments)
        if bad is not None:
            return (
                "InvalidValue",
                f"transaction ST02={st02!r} has an invalid segment id {_printable_id(bad)}",
            )
        if self.fallback and (ch := undecodable(payload, _sep_chars(self.seps))) is not None:
            return (
                "EncodingError",
                f"transaction ST02={st02!r} is not text: control byte {ord(ch):#04x}",
            )
        return None

    def _envelope(self, st: list[str]) -> Envelope:
        """The transaction's Envelope, built as a draft (`draft_type`: once per transaction,
        the frozen constructor was a visible share of tokenizing)."""
        interchange = self.interchange
        assert interchange is not None and interchange.gs is not None
        gs = interchange.gs
        if len(st) < 4:
            st = st + ["", "", ""]
        e = _ENVELOPE_DRAFT()
        e.sender_id = interchange.sender_id
        e.interchange_control_number = interchange.control_number
        e.group_control_number = gs[6] if len(gs) > 6 else ""
        e.functional_version = gs[8] if len(gs) > 8 else ""
        e.transaction_set_id = st[1]
        e.transaction_control_number = st[2]
        e.implementation_reference = st[3] or None
        e.__class__ = Envelope  # sealed
        return e  # type: ignore[return-value]


def _foreign_separator(sid: str) -> str | None:
    """The delimiter right after a 2-3 letter segment id that is not the element separator."""
    for width in (2, 3):
        head, ch = sid[:width], sid[width : width + 1]
        if head.isalnum() and head.isupper() and ch and not ch.isalnum() and ch.isprintable():
            return ch
    return None


def _sep_chars(seps: Separators) -> str:
    return seps.element + seps.component + seps.repetition + seps.segment


def _printable_id(sid: str) -> str:
    return repr(sid[:10]) if sid.isprintable() else repr(sid[:10].encode("latin-1", "replace"))


def _get(seg: list[str], i: int) -> str:
    return seg[i] if len(seg) > i else ""


def draft_type(record_type: type) -> type:
    """A writable draft of a frozen slots record class: a subclass that adds no slots and
    undoes the frozen `__setattr__`.

    A reader fills a draft field by field (every field, in one straight block) and seals it
    with `draft.__class__ = record_type`: the object then *is* a `record_type` (same type,
    equality, hash, `asdict`, frozen against later writes). Why: a frozen dataclass
    `__init__` stores each field through `object.__setattr__`, several times the cost of a
    plain slot store; at ~100k records per file that was the readers' largest cost. Checked
    once, here: a record type this does not fit (not a frozen slots dataclass, a
    `__post_init__`) raises at import instead of yielding odd records."""
    names = tuple(f.name for f in dataclasses.fields(record_type))
    params = getattr(record_type, "__dataclass_params__", None)
    if (
        params is None
        or not params.frozen
        or tuple(getattr(record_type, "__slots__", ())) != names
        or hasattr(record_type, "__post_init__")
    ):
        raise TypeError(f"{record_type.__name__} is not a frozen slots dataclass without hooks")
    draft = type(
        f"{record_type.__name__}Draft",
        (record_type,),
        {
            "__slots__": (),
            "__init__": object.__init__,  # fields are set one by one
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    probe = draft()
    probe.__class__ = record_type  # raises TypeError if the layouts ever differ
    return draft


_ENVELOPE_DRAFT = draft_type(Envelope)


# -- value helpers shared by the readers ------------------------------------------------------


def element(seg: list[str], i: int) -> str | None:
    """Element i of a segment, None when absent or empty."""
    try:
        return seg[i] or None
    except IndexError:
        return None


@lru_cache(maxsize=4096)
def parse_date(value: str) -> dt.date:
    """CCYYMMDD (or YYMMDD) as a date; raises ValueError."""
    if len(value) == 8 and value.isdigit():
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    if len(value) == 6 and value.isdigit():
        return dt.date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
    raise ValueError(value)


def to_date(value: str | None, where: str) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise X12ValueError(f"{where}: {value!r} is not a date (CCYYMMDD)") from None


def date_range(value: str | None, where: str) -> tuple[dt.date | None, dt.date | None]:
    """A D8 date or an RD8 range `CCYYMMDD-CCYYMMDD`."""
    if not value:
        return None, None
    if "-" in value:
        first, _, last = value.partition("-")
        return to_date(first, where), to_date(last, where)
    day = to_date(value, where)
    return day, day


def to_decimal(value: str | None, where: str) -> Decimal:
    """An X12 amount (R): digits with an optional sign and decimal point."""
    try:
        if value[-1] in _DIGITS_OR_POINT:  # type: ignore[index] - None / "" handled below
            return Decimal(value)  # type: ignore[arg-type]
    except (TypeError, IndexError):
        raise X12ValueError(f"{where}: amount is missing") from None
    except InvalidOperation:
        pass
    raise X12ValueError(f"{where}: {value!r} is not a number")


def opt_decimal(value: str | None, where: str) -> Decimal | None:
    return to_decimal(value, where) if value else None
