"""Streaming X12 tokenizer: separators from the ISA header, segments as lists of elements,
transactions with their envelope values and raw text.

Nothing here raises on bad input: envelope problems come out of `iter_transactions` as
`X12Error` items (one per transaction, or one for the rest of the file when the interchange
header is unreadable) which the readers turn into dead letters.

Speed: one `str.split` per file (segments) and one per segment (elements); components are
split by the readers only where they need them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_DIGITS_OR_POINT = frozenset("0123456789.")
ISA_LENGTH = 106  # fixed-width ISA segment including its terminator
_LINE_BREAKS = "\r\n"
_TRAILER_IDS = frozenset({"GE", "IEA"})
_ENVELOPE_IDS = frozenset({"SE", "ST", "GS", "GE", "IEA", "ISA"})


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


def _is_segment_id(sid: str) -> bool:
    return 2 <= len(sid) <= 3 and sid.isascii() and sid.isalnum()


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

    def run(self) -> Iterator[Transaction | X12Error]:
        """The hot loop: one split per segment, one append per transaction segment."""
        text, seps = self.text, self.seps
        element, line_breaks, envelope_ids = seps.element, _LINE_BREAKS, _ENVELOPE_IDS
        offset = self.pos
        current = None
        body = text[self.pos :]
        pieces = body.split(seps.segment)
        if "\n" in body or "\r" in body:  # tolerate line breaks around terminators
            stripped = [raw.strip(line_breaks) for raw in pieces]
        else:
            stripped = pieces
        for raw, clean in zip(pieces, stripped, strict=True):
            start = offset
            offset += len(raw) + 1
            seg = clean.split(element)
            sid = seg[0]
            if current is not None and 0 < len(sid) <= 3 and sid not in envelope_ids:
                current.append(seg)
                continue
            if not sid and len(seg) == 1:
                continue  # an empty piece (line breaks only)
            self.current, self.end = current, offset
            start += len(raw) - len(raw.lstrip(line_breaks))
            if sid.startswith("ISA") and not sid[3:4].isalnum():
                if self.interchange is not None and read_separators(text, start) != seps:
                    yield from self._close_open("the next interchange header (ISA)", start)
                    self.next_isa = start
                    return
                sid = "ISA"
            if current is not None and sid not in envelope_ids:
                current.append(seg)  # an odd segment id inside a transaction
                continue
            yield from self._envelope_segment(sid, seg, clean, start)
            current = self.current
        self.current = current
        yield from self._close_open("the end of the file", len(text))
        yield from self._flush_stray()

    def _envelope_segment(
        self, sid: str, seg: list[str], raw: str, start: int
    ) -> Iterator[Transaction | X12Error]:
        if sid in ("ISA", "GS", "GE", "IEA", "ST"):
            yield from self._close_open(f"segment {sid}", start)
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
        st02 = _get(st, 2)
        if self.interchange is None:
            return "EnvelopeError", f"transaction ST02={st02!r} is outside an interchange (no ISA)"
        if self.interchange.gs is None:
            return "EnvelopeError", f"transaction ST02={st02!r} has no functional group header (GS)"
        if _get(se, 1) != str(len(segments)):
            return (
                "EnvelopeError",
                f"SE01 segment count {_get(se, 1)!r} does not match the {len(segments)} "
                f"segments of transaction ST02={st02!r}",
            )
        if _get(se, 2) != st02:
            return "EnvelopeError", f"SE02 {_get(se, 2)!r} does not match ST02 {st02!r}"
        bad = next((s[0] for s in segments if len(s[0]) > 3 and not _is_segment_id(s[0])), None)
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
        assert self.interchange is not None and self.interchange.gs is not None
        gs = self.interchange.gs
        return Envelope(
            sender_id=self.interchange.sender_id,
            interchange_control_number=self.interchange.control_number,
            group_control_number=_get(gs, 6),
            functional_version=_get(gs, 8),
            transaction_set_id=_get(st, 1),
            transaction_control_number=_get(st, 2),
            implementation_reference=_get(st, 3) or None,
        )


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
