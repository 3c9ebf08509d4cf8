"""Derive the code-set seeds from the public code lists of the sample corpus.

    python dbt_project/scripts/derive_code_sets.py \
        [--corpus ../shared/corpus] [--out dbt_project/seeds]

Reads `codes/` of the corpus (see its PROVENANCE.md: pyx12 4.0.0 codes.xml, TigerShark 0.3.4
and claim-validator 0.3.0 lists) and `code_set_annotations.yml` next to this script (the
descriptions and classes hcops adds), and writes rarc_codes.csv, claim_status_categories.csv,
claim_status_codes.csv, place_of_service_codes.csv and denial_taxonomy.csv. Deterministic: the
committed seeds are exactly its output (tests/dbt/test_canonical_code_sets.py).

Effective dates: a code list in the corpus states at most the date of the list version, not
when each code started; effective_from stays empty (in effect as of the list) unless a list
says more. A code of an older list that a later list of the same code set drops was deactivated
before that list: its effective_to is the day before the later list's effective date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

SCRIPT_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = SCRIPT_DIR.parents[2] / "shared" / "corpus"
DEFAULT_OUT = SCRIPT_DIR.parent / "seeds"
PYX12 = "pyx12 4.0.0 codes.xml"
TIGERSHARK = "TigerShark 0.3.4"
CLAIMVAL = "claim-validator 0.3.0"
HCOPS = "hcops (scripts/code_set_annotations.yml)"


def pyx12_codeset(codes_xml: str, codeset_id: str) -> tuple[list[str], dt.date | None]:
    """Codes of one codeset of pyx12's codes.xml and its list effective date (<eff_dte>)."""
    block = re.search(
        rf"<id>{re.escape(codeset_id)}</id>.*?<version>(.*?)</version>", codes_xml, re.S
    )
    if block is None:
        raise ValueError(f"codeset {codeset_id!r} not in codes.xml")
    codes = re.findall(r"<code>(.*?)</code>", block.group(1))
    effective = re.search(r"<eff_dte>(\d{8})</eff_dte>", block.group(1))
    date = dt.datetime.strptime(effective.group(1), "%Y%m%d").date() if effective else None
    return codes, date


def read_described(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row["description"] for row in csv.DictReader(handle)}


def code_order(code: str) -> tuple[int, str, int]:
    """Numeric codes by value first, then alphanumeric ones (B10 after B9)."""
    prefix = re.match(r"[A-Za-z]*", code).group(0)
    number = code[len(prefix) :]
    return (1 if prefix else 0, prefix, int(number) if number.isdigit() else 0)


def write_csv(path: Path, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def rarc_rows(codes_dir: Path, codes_xml: str) -> list[tuple[str, ...]]:
    listed, listed_from = pyx12_codeset(codes_xml, "remark_code")
    described = read_described(codes_dir / "derived" / "rarc_from_tigershark_0.3.4.csv")
    assert listed_from is not None
    dropped_by = (listed_from - dt.timedelta(days=1)).isoformat()
    rows = []
    for code in sorted(set(listed) | set(described), key=code_order):
        in_pyx12 = code in listed
        source = (
            f"{PYX12} remark_code (list eff {listed_from})"
            if in_pyx12
            else (f"{TIGERSHARK}; absent from {PYX12} remark_code (list eff {listed_from})")
        )
        if code in described:
            source += f"; description {TIGERSHARK}"
        rows.append((code, described.get(code, ""), "", "" if in_pyx12 else dropped_by, source))
    return rows


def claim_status_category_rows(codes_xml: str, notes: dict) -> list[tuple[str, ...]]:
    codes, listed_from = pyx12_codeset(codes_xml, "claim_status_cat")
    rows = []
    for code in codes:
        note = notes.get(code, {})
        source = f"{PYX12} claim_status_cat (list eff {listed_from})"
        if note:
            source += f"; description and classes {HCOPS}"
        rows.append(
            (
                code,
                note.get("description", ""),
                note.get("group", "other"),
                note.get("acknowledgment_outcome", ""),
                "",
                "",
                source,
            )
        )
    return rows


def claim_status_code_rows(codes_xml: str) -> list[tuple[str, ...]]:
    codes, listed_from = pyx12_codeset(codes_xml, "claim_status")
    source = f"{PYX12} claim_status (list eff {listed_from}); codes only"
    return [(code, "", "", source) for code in sorted(codes, key=code_order)]


def place_of_service_rows(codes_dir: Path, codes_xml: str) -> list[tuple[str, ...]]:
    listed, _ = pyx12_codeset(codes_xml, "pos")
    with gzip.open(codes_dir / "claimval__pos_codes.json.gz", "rt", encoding="utf-8") as handle:
        current: dict[str, str] = json.load(handle)
    older = {
        code.zfill(2): text
        for code, text in read_described(
            codes_dir / "derived" / "pos_from_tigershark_0.3.4.csv"
        ).items()
    }
    rows = []
    for code in sorted(set(listed) | set(current) | set(older)):
        lists = [
            name
            for name, found in (
                (PYX12, code in listed),
                (CLAIMVAL, code in current),
                (TIGERSHARK, code in older),
            )
            if found
        ]
        described_by = CLAIMVAL if code in current else TIGERSHARK if code in older else ""
        source = "listed by " + ", ".join(lists)
        if described_by:
            source += f"; description {described_by}"
        rows.append((code, current.get(code) or older.get(code, ""), "", "", source))
    return rows


def denial_taxonomy_rows(carc_seed: Path, taxonomy: dict) -> list[tuple[str, ...]]:
    category_of: dict[str, tuple[str, dict]] = {}
    for name, spec in taxonomy["categories"].items():
        for carc in spec["carcs"]:
            if carc in category_of:
                raise ValueError(f"CARC {carc} is in {category_of[carc][0]} and {name}")
            category_of[carc] = (name, spec)
    default = taxonomy["default"]
    with carc_seed.open(newline="", encoding="utf-8") as handle:
        denials = [row["carc"] for row in csv.DictReader(handle) if row["category"] == "denial"]
    unknown = set(category_of) - set(denials)
    if unknown:
        raise ValueError(f"taxonomy lists CARCs that are not denials in the seed: {unknown}")
    rows = []
    for carc in sorted(denials, key=code_order):
        name, spec = category_of.get(carc, (default["category"], default))
        rows.append((carc, name, str(spec["preventable"]).lower(), spec["owner_team"], HCOPS))
    return rows


def derive(
    corpus: Path, out: Path, carc_seed: Path = DEFAULT_OUT / "carc_categories.csv"
) -> list[Path]:
    codes_dir = corpus / "codes"
    codes_xml = (codes_dir / "pyx12__codes.xml").read_text(encoding="utf-8")
    notes = yaml.safe_load((SCRIPT_DIR / "code_set_annotations.yml").read_text())
    seeds = {
        "rarc_codes.csv": (
            ("rarc", "description", "effective_from", "effective_to", "source"),
            rarc_rows(codes_dir, codes_xml),
        ),
        "claim_status_categories.csv": (
            (
                "category_code",
                "description",
                "category_group",
                "acknowledgment_outcome",
                "effective_from",
                "effective_to",
                "source",
            ),
            claim_status_category_rows(codes_xml, notes["claim_status_categories"]),
        ),
        "claim_status_codes.csv": (
            ("status_code", "effective_from", "effective_to", "source"),
            claim_status_code_rows(codes_xml),
        ),
        "place_of_service_codes.csv": (
            ("place_of_service_code", "description", "effective_from", "effective_to", "source"),
            place_of_service_rows(codes_dir, codes_xml),
        ),
        "denial_taxonomy.csv": (
            ("carc", "denial_category", "is_preventable", "owner_team", "source"),
            denial_taxonomy_rows(carc_seed, notes["denial_taxonomy"]),
        ),
    }
    written = []
    for name, (header, rows) in seeds.items():
        write_csv(out / name, header, rows)
        written.append(out / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    for path in derive(args.corpus, args.out):
        print(path)


if __name__ == "__main__":
    main()
