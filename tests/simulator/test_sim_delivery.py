"""Delivery times: every file's modification time is its simulated delivery time (a true UTC
instant of the network's local wall time), plausible per source, and the integration truth in
kpis.json (transaction latency, received per UTC delivery day) recomputes from the files'
modification times and source event times exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from simtest_faults import DAYS, START, local, mtime
from simtest_x12 import segments

from simulator.fileformats import hl7_field, hl7_messages


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hl7_times(path: Path) -> Iterator[tuple[str, dt.datetime]]:
    """(MSH-10, MSH-7 as an instant) per message."""
    for message in hl7_messages(path.read_bytes().decode("utf-8")):
        when = dt.datetime.strptime(hl7_field(message, "MSH", 7), "%Y%m%d%H%M%S")
        yield hl7_field(message, "MSH", 10), local(when)


def _event_times(folder: str, path: Path) -> list[dt.datetime]:
    """Source event instants of the messages of a file (the sources' own fields)."""
    if folder == "hl7_siu":
        return [when for _, when in _hl7_times(path)]
    if folder == "fhir":
        return [dt.datetime.fromisoformat(json.loads(line)["meta"]["lastUpdated"])
                for line in path.read_text().splitlines()]
    if folder == "vendor_csv":
        return [local(dt.datetime.strptime(r["Last Modified"], "%d-%b-%Y %H:%M:%S"))
                for r in csv.DictReader(io.StringIO(path.read_text()))]
    times, group = [], dt.datetime.min
    for seg in segments(path):  # X12: GS04 + GS05 of each transaction set
        if seg[0] == "GS":
            group = local(dt.datetime.strptime(seg[4] + seg[5], "%Y%m%d%H%M"))
        elif seg[0] == "ST":
            times.append(group)
    return times


def _latencies(root: Path, folder: str, paths: list[Path]) -> list[float]:
    return [(mtime(path) - event).total_seconds() / 60
            for path in paths for event in _event_times(folder, path)]


@pytest.fixture(scope="module")
def none(fault_runs: dict) -> Path:
    return fault_runs["none"][0]


@pytest.fixture(scope="module")
def high(fault_runs: dict) -> Path:
    return fault_runs["high"][0]


def _kpis(root: Path) -> dict:
    return json.loads((root / "truth" / "kpis.json").read_text())


@pytest.mark.parametrize("folder", ["hl7_siu", "fhir", "vendor_csv", "x12_837", "x12_835"])
def test_latency_truth_is_delivery_minus_event_time(none: Path, folder: str) -> None:
    paths = sorted(p for p in (none / folder).rglob("*") if p.is_file())
    minutes = _latencies(none, folder, paths)
    truth = _kpis(none)["transaction_latency"]["by_source"][folder]
    assert truth["messages"] == len(minutes) > 0
    assert truth["p50_minutes"] == pytest.approx(_percentile(minutes, 0.5), abs=1e-9)
    assert truth["p95_minutes"] == pytest.approx(_percentile(minutes, 0.95), abs=1e-9)
    assert min(minutes) > 0


def test_latency_with_faults_counts_each_landed_message_once(high: Path) -> None:
    """HL7 with faults: duplicate files and messages and malformed copies do not land; late,
    out-of-order and phantom (unknown-facility) messages do, at their file's mtime."""
    faults = list(csv.DictReader((high / "truth" / "faults.csv").open()))
    skipped = {r["file"] for r in faults if r["folder"] == "hl7_siu"
               and r["kind"] in ("duplicate_file", "malformed")}
    minutes: dict[str, float] = {}
    for path in sorted((high / "hl7_siu").glob("*.hl7")):
        if path.name not in skipped:
            for control, when in _hl7_times(path):
                minutes.setdefault(control, (mtime(path) - when).total_seconds() / 60)
    truth = _kpis(high)["transaction_latency"]["by_source"]["hl7_siu"]
    values = list(minutes.values())
    assert truth["messages"] == len(values)
    assert truth["p95_minutes"] == pytest.approx(_percentile(values, 0.95), abs=1e-9)
    assert any(c.endswith("U") for c in minutes)  # the phantoms land
    assert max(values) > 2 * 24 * 60  # held files arrive days later


def test_received_and_dead_letters_per_utc_delivery_day(high: Path) -> None:
    faults = list(csv.DictReader((high / "truth" / "faults.csv").open()))
    malformed = {r["file"] for r in faults if r["folder"] == "hl7_siu"
                 and r["kind"] == "malformed"}
    received: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    for path in (high / "hl7_siu").glob("*.hl7"):
        day = mtime(path).date().isoformat()
        received[day] += len(hl7_messages(path.read_bytes().decode("latin-1")))
        dead[day] += path.name in malformed
    truth = _kpis(high)["integration_failure_rate"]["by_source_day"]["hl7_siu"]
    assert {day: v["received"] for day, v in truth.items()} == dict(received)
    assert {day: v["dead_lettered"] for day, v in truth.items() if v["dead_lettered"]} == {
        day: n for day, n in dead.items() if n}


def test_every_file_is_delivered_at_a_plausible_time(none: Path) -> None:
    """SIU files 5-90 min after their last event; our 837 batches archived 1-15 min after
    their creation, before the clearinghouse's 999 arrives; monthly templates the week before
    their month; the truth (not delivered) stamped with the window's last evening."""
    for path in (none / "hl7_siu").glob("*.hl7"):
        lag = mtime(path) - max(when for _, when in _hl7_times(path))
        assert dt.timedelta(minutes=5) <= lag <= dt.timedelta(minutes=90)
    for path in (none / "x12_837").glob("*.x12"):
        lag = mtime(path) - _event_times("x12_837", path)[0]
        assert dt.timedelta(minutes=1) <= lag <= dt.timedelta(minutes=15)
        assert mtime(none / "x12_999" / f"999_{path.name}") > mtime(path)
    for path in (none / "schedule_templates").rglob("*.csv"):
        first = dt.datetime.strptime(path.stem, "%Y-%m")
        published = mtime(path) - local(first - dt.timedelta(days=7, hours=-18))
        assert dt.timedelta(minutes=5) <= published <= dt.timedelta(minutes=90)
    window_end = local(dt.datetime.combine(START + dt.timedelta(days=DAYS - 1), dt.time(23)))
    assert {mtime(p) for p in (none / "truth").iterdir()} == {window_end}
    days = defaultdict(set)
    for path in none.rglob("*"):
        if path.is_file():
            days[path.relative_to(none).parts[0]].add(mtime(path).date())
    assert all(len(found) > 1 for folder, found in days.items() if folder != "truth")
