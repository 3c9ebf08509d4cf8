"""The code-set seeds are exactly what dbt_project/scripts/derive_code_sets.py derives from the
public code lists of the corpus (pyx12, TigerShark, claim-validator) and the hcops annotations;
spot checks hold them to the lists and to DESIGN §2 / §4."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
SCRIPT = SEEDS.parent / "scripts" / "derive_code_sets.py"
DERIVED = (
    "rarc_codes.csv",
    "claim_status_categories.csv",
    "claim_status_codes.csv",
    "place_of_service_codes.csv",
    "denial_taxonomy.csv",
)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_code_sets", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.corpus
def test_committed_seeds_are_the_script_output(corpus_dir: Path, tmp_path: Path) -> None:
    written = load_script().derive(corpus_dir, tmp_path)
    assert sorted(p.name for p in written) == sorted(DERIVED)
    for name in DERIVED:
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


@pytest.mark.corpus
def test_code_lists_keep_every_code_of_the_corpus(corpus_dir: Path) -> None:
    codes_xml = (corpus_dir / "codes" / "pyx12__codes.xml").read_text(encoding="utf-8")

    def pyx12(codeset: str) -> set[str]:
        block = re.search(rf"<id>{codeset}</id>.*?</version>", codes_xml, re.S)
        assert block
        return set(re.findall(r"<code>(.*?)</code>", block.group(0)))

    assert {r["status_code"] for r in seed("claim_status_codes.csv")} == pyx12("claim_status")
    assert {r["category_code"] for r in seed("claim_status_categories.csv")} == pyx12(
        "claim_status_cat"
    )
    assert pyx12("remark_code") <= {r["rarc"] for r in seed("rarc_codes.csv")}
    assert pyx12("pos") <= {r["place_of_service_code"] for r in seed("place_of_service_codes.csv")}


def test_acknowledgment_outcomes_follow_design() -> None:
    outcomes = {
        r["category_code"]: r["acknowledgment_outcome"] for r in seed("claim_status_categories.csv")
    }
    assert outcomes["A1"] == "received"
    assert outcomes["A2"] == "accepted"
    assert {c for c, o in outcomes.items() if o == "rejected"} == {"A3", "A6", "A7", "A8"}
    assert outcomes["F1"] == ""  # finalized statuses are not acknowledgments


def test_rarc_dropped_by_the_later_list_ends_before_it() -> None:
    rarcs = {r["rarc"]: r for r in seed("rarc_codes.csv")}
    assert rarcs["MA12"]["effective_to"] == "2014-10-31"  # TigerShark only
    assert rarcs["M1"]["effective_to"] == ""  # in both lists
    assert rarcs["M1"]["description"].startswith("X-ray not taken")


def test_every_denial_carc_rolls_up_into_the_taxonomy() -> None:
    denials = {r["carc"] for r in seed("carc_categories.csv") if r["category"] == "denial"}
    taxonomy = {r["carc"]: r for r in seed("denial_taxonomy.csv")}
    assert set(taxonomy) == denials
    assert taxonomy["197"]["denial_category"] == "authorization_referral"
    assert taxonomy["B7"]["owner_team"] == "provider_enrollment"
    assert taxonomy["29"]["denial_category"] == "timely_filing"
    assert taxonomy["16"]["is_preventable"] == "true"


def test_clp02_flags_follow_design() -> None:
    statuses = {r["status_code"]: r for r in seed("clp02_claim_statuses.csv")}
    primary = {
        c
        for c, r in statuses.items()
        if r["is_adjudication"] == "true" and r["payer_sequence"] in ("", "P")
    }
    assert primary == {"1", "4", "19"}  # DESIGN §4: adjudication of the primary claim
    assert {c for c, r in statuses.items() if r["is_reversal"] == "true"} == {"22"}
    assert {c for c, r in statuses.items() if r["is_denial"] == "true"} == {"4"}
