"""Every public sample file parses into records or dead letters with specific reasons, never an
exception; amounts and counts agree with independent readings (pyx12, bare splits)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.formats import PARSERS
from ingest.records import (
    AppointmentEvent,
    ClaimStatus,
    ClaimSubmission,
    DeadLetter,
    RemittanceAdjustment,
    RemittanceClaim,
)

pytestmark = pytest.mark.corpus

X12_FOLDERS = ("x12_835", "x12_837", "x12_277")
ERROR_CLASSES = {
    "EnvelopeError",
    "MissingSegment",
    "InvalidValue",
    "Truncated",
    "EncodingError",
    "UnsupportedTransaction",
}
# well-formed 835s checked against pyx12 (single-line, line-broken, several transactions)
PYX12_CHECKED = (
    "dwai__X221-multiple-claims-single-check.edi",
    "edi835p__emedny_sample.txt",
    "edi835p__united_healthcare_legacy_sample.txt",
    "hdi__835-all-fields.dat",
    "hdi__835-provider-level-adjustment.dat",
    "lfh__medicare-part-a.835",
    "lfh__secondary-payment.835",
    "pyx12__835_mult_loops.txt",
)


def _files(corpus_dir: Path, folder: str) -> list[Path]:
    files = sorted(p for p in (corpus_dir / folder).iterdir() if p.is_file())
    assert files, f"no files in {folder}"
    return files


def _parse(path: Path, folder: str) -> list[object]:
    return list(PARSERS[folder].parse(path.read_bytes(), path.name))


def _bare_segments(data: bytes) -> list[list[str]]:
    """An independent bare split: ISA byte 3 / 105 give element and segment separators."""
    text = data.decode("latin-1").strip()
    element, terminator = text[3], text[105]
    return [s.strip().split(element) for s in text.split(terminator) if s.strip()]


@pytest.mark.parametrize("folder", [*X12_FOLDERS, "hl7_siu"])
def test_every_file_parses_or_dead_letters_specifically(corpus_dir: Path, folder: str) -> None:
    for path in _files(corpus_dir, folder):
        items = _parse(path, folder)
        assert items or folder == "x12_277", f"{path.name}: nothing parsed"
        for item in items:
            if isinstance(item, DeadLetter):
                assert item.source == folder
                assert item.error_class in ERROR_CLASSES, (path.name, item)
                assert len(item.reason) > 25 and item.payload, (path.name, item)


def test_dead_letter_reasons_by_file(corpus_dir: Path) -> None:
    """The known irregular samples dead-letter for the documented reason."""
    expected = {
        ("x12_835", "edi835p__blue_cross_nc_sample.txt"): ("EnvelopeError", "no ISA"),
        ("x12_835", "lfh__managed-care.835"): ("InvalidValue", "BPR16 payment date: '20002316'"),
        ("x12_835", "hdi__not_covered_inpatient.dat"): ("EnvelopeError", "SE01 segment count"),
        ("x12_837", "hdi__multi-tran.dat"): ("EnvelopeError", "no ISA"),
        ("x12_837", "hdi__prof-encounter.dat"): ("EnvelopeError", "no functional group header"),
        ("x12_837", "hdi__commercial.dat"): ("EnvelopeError", "SE01 segment count"),
        ("x12_837", "lfh__demo.example6.837"): ("InvalidValue", "separator mismatch"),
        ("x12_837", "dwai__X291-ambulance.edi"): ("InvalidValue", "an element is missing"),
        ("x12_277", "lfh__demo.276"): ("UnsupportedTransaction", "'276'"),
        ("x12_277", "hdi__X212-277-claim-response.edi"): ("UnsupportedTransaction", "005010X212"),
        ("x12_277", "hdi__277CA-receiver-rejected.edi"): (
            "MissingSegment",
            "receiver-level rejection A3",
        ),
        ("hl7_siu", "msfc__SIU_12.hl7"): ("UnsupportedTransaction", "'ADT'"),
    }
    for (folder, name), (error_class, words) in expected.items():
        dead = [i for i in _parse(corpus_dir / folder / name, folder) if isinstance(i, DeadLetter)]
        assert dead, name
        assert (dead[0].error_class, words in dead[0].reason) == (error_class, True), dead[0]


def _parsed_835s(corpus_dir: Path) -> list[tuple[Path, list[object]]]:
    out = []
    for path in _files(corpus_dir, "x12_835"):
        items = _parse(path, "x12_835")
        if not any(isinstance(i, DeadLetter) for i in items):
            out.append((path, items))
    return out


def test_835_sums_match_a_bare_split(corpus_dir: Path) -> None:
    parsed = _parsed_835s(corpus_dir)
    assert len(parsed) >= 40
    for path, items in parsed:
        segments = _bare_segments(path.read_bytes())
        clp04 = sum(Decimal(s[4]) for s in segments if s[0] == "CLP")
        cas = sum(
            Decimal(s[i])
            for s in segments
            if s[0] == "CAS"
            for i in range(3, min(len(s), 20), 3)
            if s[i]
        )
        claims = [i for i in items if isinstance(i, RemittanceClaim)]
        assert sum(c.paid_amount for c in claims) == clp04, path.name
        assert sum(a.amount for a in items if isinstance(a, RemittanceAdjustment)) == cas, path.name
        assert len(claims) == sum(1 for s in segments if s[0] == "CLP"), path.name


@pytest.mark.parametrize("name", PYX12_CHECKED)
def test_835_sums_match_pyx12(corpus_dir: Path, name: str) -> None:
    x12file = pytest.importorskip("pyx12.x12file")
    path = corpus_dir / "x12_835" / name
    clp04 = cas = Decimal(0)
    with path.open(encoding="latin-1") as handle:
        for seg in x12file.X12Reader(handle):
            if seg.get_seg_id() == "CLP":
                clp04 += Decimal(seg.get_value("CLP04"))
            elif seg.get_seg_id() == "CAS":
                cas += sum(
                    Decimal(v) for i in range(3, 19, 3) if (v := seg.get_value(f"CAS{i:02d}"))
                )
    items = _parse(path, "x12_835")
    assert not [i for i in items if isinstance(i, DeadLetter)]
    assert sum(i.paid_amount for i in items if isinstance(i, RemittanceClaim)) == clp04
    assert sum(i.amount for i in items if isinstance(i, RemittanceAdjustment)) == cas


def test_837_claim_counts_match_bare_clm_count(corpus_dir: Path) -> None:
    checked = 0
    for path in _files(corpus_dir, "x12_837"):
        items = _parse(path, "x12_837")
        data = path.read_bytes()
        element = "*" if not data.startswith(b"ISA") else chr(data[3])
        terminator = "~" if not data.startswith(b"ISA") else chr(data[105])
        bare = sum(
            1
            for s in data.decode("latin-1").split(terminator)
            if s.strip().startswith(f"CLM{element}")
        )
        dead = [i for i in items if isinstance(i, DeadLetter)]
        claims = [i for i in items if isinstance(i, ClaimSubmission)]
        if not dead:
            assert len(claims) == bare, path.name
            checked += 1
        else:  # every claim is either landed or inside a dead letter
            in_dead = sum(d.payload.count(f"CLM{element}") for d in dead)
            assert len(claims) + in_dead == bare, path.name
    assert checked >= 40


def test_277_every_claim_reference_has_a_status(corpus_dir: Path) -> None:
    checked = 0
    for path in _files(corpus_dir, "x12_277"):
        statuses = [i for i in _parse(path, "x12_277") if isinstance(i, ClaimStatus)]
        if not statuses:
            continue
        references, level = set(), None
        for seg in _bare_segments(path.read_bytes()):
            if seg[0] == "HL":
                level = seg[3]
            elif seg[0] == "TRN" and level == "PT":
                references.add(seg[2])
        assert {s.claim_id for s in statuses} == references, path.name
        checked += 1
    assert checked >= 4


def test_siu_event_counts_match_msh_count(corpus_dir: Path) -> None:
    kinds: Counter[str] = Counter()
    for path in _files(corpus_dir, "hl7_siu"):
        items = _parse(path, "hl7_siu")
        text = path.read_bytes().decode("latin-1")
        msh = sum(1 for line in text.replace("\r", "\n").split("\n") if line.startswith("MSH|"))
        assert len(items) == msh, path.name  # one event or one dead letter per message
        siu = sum(
            1
            for line in text.replace("\r", "\n").split("\n")
            if line.startswith("MSH|") and "|SIU^" in line
        )
        assert sum(isinstance(i, AppointmentEvent) for i in items) == siu, path.name
        kinds.update(type(i).__name__ for i in items)
    assert kinds["AppointmentEvent"] >= 15
