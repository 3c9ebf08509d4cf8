"""Claim status follow-up (276 / 277, 005010X212): the 277 responses pass pyx12 (its X212 map,
registered and repaired: simtest_x212), the 276 inquiries a bare-split structural check; the
ingest reader reads every inquiry and response with the truth's values; the truth is
consistent with the claims lifecycle (only submitted, accepted, unadjudicated claims are
asked about, every one of them when due; finalized answers only for claims adjudicated by the
answer, with their paid amount); delivery times; the skeleton writes none.
(`lifecycle_dataset`: 3 facilities x 90 days, seed 9, faults off.)"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import pyx12.map_if
from simtest_faults import local, mtime
from simtest_x12 import segments
from simtest_x212 import (
    pyx12_valid,
    structural_276_errors,
    unknown_status_codes,
    x212_map_dir,
)

from ingest.formats import x12_277
from ingest.records import ClaimStatusInquiry, DeadLetter
from simulator.claims.params import ClaimsParams
from simulator.truth import read_rows

FOLLOW_UP_DAYS = ClaimsParams().status_inquiry_days
REPEAT_DAYS = ClaimsParams().status_inquiry_repeat_days


@pytest.fixture(scope="module")
def full(lifecycle_dataset: Path) -> Path:
    return lifecycle_dataset


@pytest.fixture(scope="module")
def map_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return x212_map_dir(tmp_path_factory.mktemp("pyx12") / "map")


@pytest.fixture(scope="module", autouse=True)
def cached_maps() -> Iterator[None]:
    original = pyx12.map_if.load_map_file
    pyx12.map_if.load_map_file = functools.cache(original)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    yield
    pyx12.map_if.load_map_file = original


@pytest.fixture(scope="module")
def truth(full: Path) -> list[dict[str, str]]:
    rows = read_rows(full / "truth" / "claim_status_inquiries.csv")
    assert len(rows) > 100
    return rows


@pytest.fixture(scope="module")
def window_end(full: Path) -> dt.date:
    claims = read_rows(full / "truth" / "claim_events.csv")
    return max(dt.date.fromisoformat(r["event_date"]) for r in claims)


def _files(out: Path, kind: str) -> list[Path]:
    files = sorted((out / "x12_277").glob(f"{kind}_*.x12"))
    assert files, kind
    return files


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


# ------------------------------------------------------------------ validity
def test_every_277_response_passes_pyx12(full: Path, map_dir: Path) -> None:
    files = _files(full, "277")
    assert [p.name for p in files if not pyx12_valid(p, map_dir)] == []
    assert {p.name: unknown_status_codes(p) for p in files} == {p.name: [] for p in files}


def test_the_repaired_x212_map_accepts_the_guide_and_rejects_faults(
        full: Path, map_dir: Path, corpus_dir: Path, tmp_path: Path) -> None:
    """The X212 guide's example responses of the corpus pass; a response with an impossible
    status date, without its claim trace, or with a wrong segment count fails; an unknown
    status category is caught by the code-list check."""
    for name in ("lfh__claim-level-status.277", "lfh__claim-level-status-ncpdp.277",
                 "lfh__information-receiver-level-status.277"):
        assert pyx12_valid(corpus_dir / "x12_277" / name, map_dir), name
    text = _files(full, "277")[0].read_text()
    stc = next(s for s in text.split("~\n") if s.startswith("STC*"))
    trn = next(s for s in text.split("~\n") if s.startswith("TRN*2*"))
    se = next(s for s in text.split("~\n") if s.startswith("SE*"))
    count = int(se.split("*")[1])
    bad_date = stc.split("*")
    bad_date[2] = bad_date[2][:4] + "1345"
    broken = {"date": text.replace(stc, "*".join(bad_date), 1),
              "trace": text.replace(trn + "~\n", "", 1),
              "count": text.replace(se, se.replace(f"SE*{count}*", f"SE*{count + 1}*"), 1)}
    for what, content in broken.items():
        path = tmp_path / f"{what}.x12"
        path.write_text(content)
        assert not pyx12_valid(path, map_dir), what
    path = tmp_path / "category.x12"
    path.write_text(text.replace(stc, "STC*Q9" + stc[6:], 1))
    assert unknown_status_codes(path) == ["Q9" + stc[6:].split("*")[0]]


def test_every_276_inquiry_is_well_formed(full: Path) -> None:
    files = _files(full, "276")
    assert {p.name: structural_276_errors(p.read_bytes()) for p in files} == {
        p.name: [] for p in files}
    text = files[0].read_text()
    ref = next(s for s in text.split("~\n") if s.startswith("REF*EJ*"))
    se = next(s for s in text.split("~\n") if s.startswith("SE*"))
    for broken in (text.replace(ref + "~\n", "", 1), text.replace(se + "~\n", "", 1),
                   text.replace("*22*0~", "*19*0~", 1), text.replace("BHT*0010*13", "BHT*0010*ZZ")):
        assert structural_276_errors(broken.encode())


# ------------------------------------------------------------------ the ingest reader
def _records(out: Path, kind: str) -> list[ClaimStatusInquiry]:
    found: list[ClaimStatusInquiry] = []
    for path in _files(out, kind):
        items = list(x12_277.parse(path.read_bytes(), path.name))
        assert not [i for i in items if isinstance(i, DeadLetter)], path.name
        assert all(isinstance(i, ClaimStatusInquiry) and i.level == "claim" for i in items)
        found += items  # type: ignore[arg-type]
    return found


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def test_the_ingest_reader_reads_every_inquiry_as_the_truth(full: Path, truth: list) -> None:
    records = _records(full, "276")
    read = {r.trace_number: (r.transaction_set_id, r.patient_account_number,
                             r.payer_claim_number, r.payer_id, _money(r.charge_amount),
                             _iso(r.service_date_from), _iso(r.service_date_to),
                             _iso(r.report_date)) for r in records}
    assert len(read) == len(records)
    assert read == {r["trace_number"]: ("276", r["claim_id"], r["payer_claim_number"],
                                        r["payer_id"], r["charge_amount"], r["service_date"],
                                        r["service_date"], r["inquiry_date"]) for r in truth}


def test_the_ingest_reader_reads_every_response_as_the_truth(full: Path, truth: list) -> None:
    records = _records(full, "277")
    read = {r.trace_number: (r.transaction_set_id, r.patient_account_number, r.payer_id,
                             r.category_code, r.status_code, _iso(r.status_date),
                             _money(r.charge_amount), _money(r.paid_amount),
                             _iso(r.adjudication_date), _iso(r.payment_date),
                             r.check_number or "", _iso(r.report_date)) for r in records}
    assert len(read) == len(records)
    answered = [r for r in truth if r["response_date"]]
    assert 0 < len(truth) - len(answered) < len(truth) / 10  # the last days: after the window
    assert read == {r["trace_number"]: ("277", r["claim_id"], r["payer_id"],
                                        r["category_code"], r["status_code"], r["status_date"],
                                        r["charge_amount"], r["paid_amount"],
                                        r["adjudication_date"], r["payment_date"],
                                        r["remittance_trace"], r["response_date"])
                    for r in answered}


# ------------------------------------------------------------------ truth consistency
def _lifecycle(out: Path) -> dict[tuple[str, str, str], dict[str, list[dict[str, str]]]]:
    """Claim events by (claim, payer, responsibility) and event type."""
    found: dict[tuple[str, str, str], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list))
    for row in read_rows(out / "truth" / "claim_events.csv"):
        if row["claim_id"]:
            key = (row["claim_id"], row["payer_id"], row["payer_responsibility"])
            found[key][row["event_type"]].append(row)
    return found


def _key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["claim_id"], row["payer_id"], row["payer_responsibility"]


def _adjudicated_by(events: dict[str, list[dict[str, str]]], day: dt.date) -> list[dict]:
    return [e for e in events["adjudication"] + events["reversal"]
            if _day(e["event_date"]) <= day]


def test_inquired_claims_were_submitted_accepted_and_unadjudicated(full: Path,
                                                                   truth: list) -> None:
    lifecycle = _lifecycle(full)
    for row in truth:
        events, asked = lifecycle[_key(row)], _day(row["inquiry_date"])
        submitted = [e for e in events["submission"] if e["detail"] == "original"]
        assert [e["event_date"] for e in submitted] == [row["submission_date"]], row
        assert (asked - _day(row["submission_date"])).days >= FOLLOW_UP_DAYS
        assert asked.weekday() < 5
        accepted = [e for e in events["ack_277ca"] if e["status"] == "A2"
                    and _day(e["event_date"]) <= asked]
        assert row["payer_claim_number"] in {e["reference"] for e in accepted}, row
        assert _adjudicated_by(events, asked) == [], row


def test_finalized_answers_are_the_adjudications_by_the_response(full: Path, truth: list,
                                                                 window_end: dt.date) -> None:
    lifecycle = _lifecycle(full)
    categories: Counter[str] = Counter()
    for row in truth:
        asked = _day(row["inquiry_date"])
        if not row["response_date"]:
            assert asked >= window_end - dt.timedelta(days=1) and not row["category_code"]
            continue
        answered = _day(row["response_date"])
        assert 1 <= (answered - asked).days <= 2 and answered <= window_end
        done = _adjudicated_by(lifecycle[_key(row)], answered)
        category = row["category_code"][0]
        categories[category] += 1
        if category != "F":
            assert done == [] and row["paid_amount"] == "" and category in "PR", row
            continue
        assert done, row
        last = done[-1]
        assert (row["paid_amount"], row["adjudication_date"]) == (last["amount"],
                                                                  last["event_date"]), row
        expected = ("F2" if last["status"] == "4"
                    else "F1" if Decimal(last["amount"]) > 0 else "F4")
        assert row["category_code"] == expected, row
        if expected == "F1":
            assert row["remittance_trace"] == last["reference"], row
    assert categories["P"] > categories["F"] > categories["R"] > 0, categories


def test_every_aged_unadjudicated_claim_is_followed_up(full: Path, truth: list,
                                                       window_end: dt.date) -> None:
    """From the truth's claims and events alone: a primary claim the payer accepted, not
    voided, without an adjudication on the first business day `status_inquiry_days` after
    submission, is asked about that day, and again every `status_inquiry_repeat_days`."""
    lifecycle = _lifecycle(full)
    expected = set()
    for claim in read_rows(full / "truth" / "claims.csv"):
        due = _day(claim["submission_date"]) + dt.timedelta(days=FOLLOW_UP_DAYS)
        while due.weekday() >= 5:
            due += dt.timedelta(days=1)
        key = (claim["claim_id"], claim["payer_id"], "P")
        events = lifecycle[key]
        held = any(e["status"] == "A2" and _day(e["event_date"]) <= due
                   for e in events["ack_277ca"])
        if (due <= window_end and held and claim["voided"] == "false"
                and not _adjudicated_by(events, due)):
            expected.add((*key, due.isoformat()))
    asked: dict[tuple[str, str, str], list[dt.date]] = defaultdict(list)
    for row in truth:
        asked[_key(row)].append(_day(row["inquiry_date"]))
    first = {(*key, min(days).isoformat()) for key, days in asked.items() if key[2] == "P"}
    assert first == expected
    repeats = [b - a for days in asked.values() for a, b in zip(days, days[1:], strict=False)]
    assert all(dt.timedelta(days=REPEAT_DAYS) <= gap < dt.timedelta(days=REPEAT_DAYS + 3)
               for gap in repeats)


# ------------------------------------------------------------------ files and delivery
def test_one_inquiry_per_payer_and_day_delivered_before_its_response(full: Path,
                                                                     truth: list) -> None:
    """276_<payer>_<day>.x12 per payer and follow-up day (its mtime: GS 07:00 + 5-90 min);
    its 277 `277_<payer>_<answer day>_re<day>.x12` the next day or the one after (GS 05:45
    + 5-90 min), answering the same traces."""
    days = {(r["payer_id"], r["inquiry_date"].replace("-", "")) for r in truth}
    inquiries = {p.stem.split("_", 1)[1]: p for p in _files(full, "276")}
    assert set(inquiries) == {f"{payer}_{day}" for payer, day in days}
    traces = defaultdict(set)
    for row in truth:
        traces[row["payer_id"], row["inquiry_date"].replace("-", "")].add(row["trace_number"])
    for path in _files(full, "277"):
        _, payer, answered, asked = path.stem.split("_")
        inquiry = inquiries[f"{payer}_{asked.removeprefix('re')}"]
        for file, day, earliest in ((inquiry, asked.removeprefix("re"), dt.time(7, 5)),
                                    (path, answered, dt.time(5, 50))):
            start = local(dt.datetime.combine(dt.datetime.strptime(day, "%Y%m%d").date(),
                                              earliest))
            assert start <= mtime(file) <= start + dt.timedelta(minutes=85), file.name
        assert mtime(path) > mtime(inquiry)
        sent = {s[2] for s in segments(inquiry) if s[0] == "TRN"}
        assert sent == {s[2] for s in segments(path) if s[0] == "TRN"} == traces[
            payer, asked.removeprefix("re")]


def test_the_skeleton_asks_nothing(skeleton_dataset: Path) -> None:
    assert not list((skeleton_dataset / "x12_277").glob("27[67]_*.x12"))
    assert read_rows(skeleton_dataset / "truth" / "claim_status_inquiries.csv") == []
