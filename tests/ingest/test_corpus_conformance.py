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
    ClaimStatusInquiry,
    ClaimSubmission,
    DeadLetter,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
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


def _x212_files(corpus_dir: Path, st01: str) -> list[Path]:
    """The 276 / 277 claim status files (005010X212) of the corpus."""
    found = []
    for path in _files(corpus_dir, "x12_277"):
        segments = _bare_segments(path.read_bytes())
        st = next(s for s in segments if s[0] == "ST")
        if st[1] == st01 and st[3] == "005010X212":
            found.append(path)
    return found


def _inquiries(path: Path) -> list[ClaimStatusInquiry]:
    items = _parse(path, "x12_277")
    assert not [i for i in items if isinstance(i, DeadLetter)], path.name  # fully parsed
    assert all(isinstance(i, ClaimStatusInquiry) for i in items), path.name
    return items  # type: ignore[return-value]


def test_276_requests_match_a_bare_split(corpus_dir: Path) -> None:
    """Per 276: one claim record per TRN (2200D / 2200E), one line record per SVC, the same
    traces, REF*EJ patient accounts and Σ AMT*T3 as a bare segment split."""
    files = _x212_files(corpus_dir, "276")
    assert len(files) == 9
    for path in files:
        records = _inquiries(path)
        segments = _bare_segments(path.read_bytes())
        claims = [r for r in records if r.level == "claim"]
        lines = [r for r in records if r.level == "line"]
        assert len(records) == len(claims) + len(lines), path.name
        assert [r.trace_number for r in claims] == [s[2] for s in segments if s[0] == "TRN"]
        accounts = [s[2] for s in segments if s[0] == "REF" and s[1] == "EJ"]
        assert sorted(filter(None, (r.patient_account_number for r in claims))) == sorted(accounts)
        amounts = [Decimal(s[2]) for s in segments if s[0] == "AMT" and s[1] == "T3"]
        assert sum(r.charge_amount or 0 for r in claims) == sum(amounts), path.name
        svc = [Decimal(s[2]) for s in segments if s[0] == "SVC"]
        assert [r.charge_amount for r in lines] == svc, path.name
        assert all(r.category_code is None and r.transaction_set_id == "276" for r in records)


_PYX12_LEVELS = {"2200B": "receiver", "2200C": "provider", "2200D": "claim", "2200E": "claim",
                 "2220D": "line", "2220E": "line"}  # fmt: skip


def _pyx12_x212_statuses(path: Path) -> tuple[Counter[tuple[str, str, str]], Decimal]:
    """(level, trace, category) of every STC composite and Σ STC04 of the claim STCs, read by
    pyx12's loop reader with its own 277 X212 map (shipped in pyx12 but not listed in its
    maps.xml, hence the map lookup wrapped here)."""
    x12context = pytest.importorskip("pyx12.x12context")
    from pyx12 import error_handler, map_index, params

    lookup = map_index.map_index.get_filename

    def get_filename(self: object, icvn: str, vriic: str, fic: str, *rest: object) -> str | None:
        if vriic == "005010X212":
            return "277.5010.X212.xml"
        return lookup(self, icvn, vriic, fic, *rest)  # type: ignore[arg-type]

    found: Counter[tuple[str, str, str]] = Counter()
    charges = Decimal(0)
    trace = ""
    with pytest.MonkeyPatch.context() as patch, path.open(encoding="latin-1") as handle:
        patch.setattr(map_index.map_index, "get_filename", get_filename)
        reader = x12context.X12ContextReader(params.params(), error_handler.errh_null(), handle)
        for node in reader.iter_segments():
            seg_id = node.seg_data.get_seg_id()
            loop = node.cur_path.split("/")[-2]
            if seg_id == "TRN":
                trace = node.get_value("TRN02")
            elif seg_id == "STC":
                level = _PYX12_LEVELS[loop]
                for ref in ("STC01-1", "STC10-1", "STC11-1"):
                    if category := node.get_value(ref):
                        found[(level, trace, category)] += 1
                        if level == "claim":
                            charges += Decimal(node.get_value("STC04") or 0)
    return found, charges


def test_277_x212_statuses_match_pyx12(corpus_dir: Path) -> None:
    """Per 277 X212: every STC composite at every level (receiver 2200B, provider 2200C,
    claim 2200D / E, line 2220D / E) with its trace, and Σ STC04, as pyx12 reads them."""
    files = _x212_files(corpus_dir, "277")
    assert len(files) == 8
    levels: Counter[str] = Counter()
    for path in files:
        records = _inquiries(path)
        expected, charges = _pyx12_x212_statuses(path)
        ours = Counter((r.level, r.trace_number, r.category_code or "") for r in records)
        assert ours == expected, path.name
        claims = [r for r in records if r.level == "claim"]
        assert sum(r.charge_amount or 0 for r in claims) == charges, path.name
        levels.update(r.level for r in records)
    assert set(levels) == {"receiver", "provider", "claim", "line"}


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


# 835s with remark codes: LQ*HE on lines, MOA / MIA on claims (hdi__negotiated_discount.dat
# has LQs too but its transaction is dead-lettered whole: SE01 counts 34 of its 72 segments)
REMARK_CHECKED = (
    "dwai__X221-line-service-line-penalty-tax-or-bonuses-impacting-payment-only-example-1.edi",
    "edi835p__emedny_sample.txt",
    "hdi__835-all-fields.dat",
    "hdi__835-denial.dat",
    "lfh__medicare-part-a.835",
    "pyx12__835_mult_loops.txt",
)
_CLAIM_REMARK_ELEMENTS = {"MOA": (3, 4, 5, 6, 7), "MIA": (5, 20, 21, 22, 23, 24)}


def _pyx12_remarks(path: Path) -> Counter[tuple[str, int | None, str]]:
    """(CLP01, SVC ordinal in the claim or None for MOA / MIA, remark code) read by pyx12."""
    x12file = pytest.importorskip("pyx12.x12file")
    found: Counter[tuple[str, int | None, str]] = Counter()
    claim_id, line = "", 0
    with path.open(encoding="latin-1") as handle:
        for seg in x12file.X12Reader(handle):
            sid = seg.get_seg_id()
            if sid == "CLP":
                claim_id, line = seg.get_value("CLP01"), 0
            elif sid == "SVC":
                line += 1
            elif sid == "LQ" and seg.get_value("LQ01") == "HE" and line:
                found[(claim_id, line, seg.get_value("LQ02"))] += 1
            elif sid in _CLAIM_REMARK_ELEMENTS:
                for i in _CLAIM_REMARK_ELEMENTS[sid]:
                    if code := seg.get_value(f"{sid}{i:02d}"):
                        found[(claim_id, None, code)] += 1
    return found


@pytest.mark.parametrize("name", REMARK_CHECKED)
def test_835_remark_codes_match_pyx12(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "x12_835" / name
    expected = _pyx12_remarks(path)
    assert expected, f"{name}: pyx12 read no remark code"
    items = _parse(path, "x12_835")
    assert not [i for i in items if isinstance(i, DeadLetter)]
    landed: Counter[tuple[str, int | None, str]] = Counter()
    for item in items:
        if isinstance(item, RemittanceLine | RemittanceClaim) and item.remark_codes:
            line = item.line_number if isinstance(item, RemittanceLine) else None
            landed.update((item.claim_id, line, c) for c in item.remark_codes.split(","))
    assert landed == expected
