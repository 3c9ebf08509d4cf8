"""The extra copies the fault layer delivers next to a file: a malformed copy of one of its
messages (one per variant and format) and an 835 re-sent under new control numbers."""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass

from simulator import fileformats as ff

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


def is_835(text: str) -> bool:
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
