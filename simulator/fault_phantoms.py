"""Unknown-facility phantoms: a well-formed copy of a real scheduling message in which the
facility code is replaced by one the master data never lists (a phantom appointment under
fresh identifiers). HL7: every occurrence of MSH-4's code, MSH-10 + `U`; FHIR and vendor CSV:
the identifiers built on the facility code (appointment id, visit number, MRN, Location /
Patient / Slot references, the vendor's Site) — the channel's facility comes from the file's
folder (FHIR) or the Site column (CSV)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from simulator import fileformats as ff
from simulator.network_data import FACILITY_ROWS

UNKNOWN_LETTERS = "QWZ"
# never a code of the facility catalog, even of facilities a smaller network leaves out
CATALOG_CODES = frozenset(row[0] for row in FACILITY_ROWS)


def unknown_code(code: str, known: Iterable[str], rng: random.Random) -> str:
    """A code of the same shape as `code` that the master data never lists."""
    taken = set(known) | CATALOG_CODES | {code}
    unknown = code
    while unknown in taken:
        unknown = "X" + "".join(rng.choice(UNKNOWN_LETTERS) for _ in range(max(len(code) - 1, 2)))
    return unknown


def shifted_code(code: str, known: Iterable[str]) -> str:
    """A deterministic unknown code per facility (its letters shifted), so phantom exports of
    different facilities never share a folder."""
    taken = set(known) | CATALOG_CODES
    for shift in range(1, 26):
        candidate = "".join(chr((ord(c) - 65 + shift) % 26 + 65) if c.isalpha() else c
                            for c in code.upper())
        if candidate not in taken:
            return candidate
    return "X" + code


def hl7_phantom(message: str, known: Iterable[str],
                rng: random.Random) -> tuple[str, str, str]:
    """(phantom message, locator, unknown code); empty when the message has no MSH-4."""
    code = ff.hl7_field(message, "MSH", 4)
    if not code:
        return "", "", ""
    unknown = unknown_code(code, known, rng)
    phantom = message.replace(code, unknown)
    control = ff.hl7_field(phantom, "MSH", 10)
    phantom = phantom.replace(f"|{control}|", f"|{control}U|", 1)
    return phantom, f"MSH-10={control}U;MSH-4={unknown}", unknown


def _identifiers(code: str) -> re.Pattern[str]:
    """Identifiers built on a facility code: `ARVC000012`, `VRVC000012`, `RVC0000012`,
    `RVC-RM01`, `LKU-01` (an optional one-letter prefix, the code, then a digit or `-`)."""
    return re.compile(rf"(?<![A-Za-z0-9])([A-Z]?){re.escape(code)}(?=[0-9-])")


def replace_facility(text: str, code: str, unknown: str) -> str:
    return _identifiers(code).sub(rf"\g<1>{unknown}", text)


def facility_of(name: str, known: Iterable[str]) -> str:
    """The facility whose folder a FHIR / vendor CSV file sits in (`<fac>/...`), else ''."""
    head = name.split("/", 1)[0]
    return head if "/" in name and head in set(known) else ""
