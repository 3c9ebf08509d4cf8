"""The delivery-fault layer (simulator/faults.py): each knob does what it says, every fault is
listed in truth/faults.csv, malformed output fails independent readers, faults only add or
move deliveries (the truth never depends on them), FaultParams.none() is the writers' output,
and faults are deterministic."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import hl7
import pytest
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document
from fhir.resources.R4B.appointment import Appointment
from simtest_faults import DAYS, FACILITIES, SEED, START, STATUS_FOLDERS, mtime, status_event
from simtest_x212 import pyx12_valid, structural_276_errors, x212_map_dir

from simulator.faults import FAULT_COLUMNS, HANDLING
from simulator.fileformats import hl7_field, hl7_messages, name_date, x12_segments
from simulator.generate import WRITERS, simulate

SIU_TRIGGERS = {"S12", "S13", "S14", "S15", "S17", "S26"}
PYX12_PARAMS = pyx12.params.params()


@pytest.fixture(scope="module")
def runs(fault_runs: dict) -> dict:
    return fault_runs


@pytest.fixture(scope="module")
def high(runs: dict) -> Path:
    return runs["high"][0]


@pytest.fixture(scope="module")
def faults(high: Path) -> list[dict[str, str]]:
    with (high / "truth" / "faults.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == FAULT_COLUMNS
        return list(reader)


@pytest.fixture(scope="module", autouse=True)
def cached_pyx12_maps() -> Iterator[None]:
    original = pyx12.map_if.load_map_file
    pyx12.map_if.load_map_file = functools.cache(original)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    yield
    pyx12.map_if.load_map_file = original


@pytest.fixture(scope="module")
def x212_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pyx12's maps with its 277 X212 map registered and repaired (simtest_x212)."""
    return x212_map_dir(tmp_path_factory.mktemp("pyx12") / "map")


def _pyx12_valid(data: bytes, tmp_path: Path) -> bool:
    path = tmp_path / "doc.x12"
    path.write_bytes(data)
    return bool(pyx12.x12n_document.x12n_document(
        param=PYX12_PARAMS, src_file=str(path), fd_997=None, fd_html=None, fd_xmldoc=None,
        fd_json=io.StringIO()))


def _x12_valid(data: bytes, tmp_path: Path, x212_maps: Path) -> bool:
    """A 276 claim status inquiry by a bare-split structural check (pyx12 has no 5010 276
    map); a 277 claim status response (X212) by pyx12 with its X212 map; else pyx12."""
    if re.search(rb"ST.276.", data):
        return not structural_276_errors(data)
    if b"005010X212" in data:
        path = tmp_path / "doc.x12"
        path.write_bytes(data)
        return pyx12_valid(path, x212_maps)
    return _pyx12_valid(data, tmp_path)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _of(faults: list[dict[str, str]], kind: str) -> list[dict[str, str]]:
    rows = [r for r in faults if r["kind"] == kind]
    assert rows, f"no {kind} fault injected"
    return rows


# ------------------------------------------------------------------ listing and determinism
def test_every_kind_is_injected_and_listed_with_its_handling(faults: list, runs: dict) -> None:
    assert {r["kind"] for r in faults} == set(HANDLING)
    assert all(r["expected_handling"] == HANDLING[r["kind"]] for r in faults)
    assert len({r["fault_id"] for r in faults}) == len(faults) == runs["high"][1].faults
    high = runs["high"][0]
    assert all((high / r["folder"] / r["file"]).is_file() for r in faults)
    variants = Counter(r["variant"] for r in faults if r["kind"] == "malformed")
    assert set(variants) == {"truncated", "wrong_separators", "invalid_code", "bad_encoding"}
    # reordering on every status feed, phantom facilities on every scheduling channel
    assert {r["folder"] for r in faults if r["kind"] == "out_of_order"} == STATUS_FOLDERS
    assert {r["folder"] for r in faults if r["kind"] == "unknown_facility"} == {
        "hl7_siu", "fhir", "vendor_csv"}


def test_faults_are_deterministic(runs: dict) -> None:
    (a, first), (b, second) = runs["high"], runs["again"]
    assert first == second
    files_a, files_b = _files(a), _files(b)
    assert {k: hashlib.sha256(v).digest() for k, v in files_a.items()} == {
        k: hashlib.sha256(v).digest() for k, v in files_b.items()}
    assert all((a / k).stat().st_mtime == (b / k).stat().st_mtime for k in files_a)


def test_none_injects_nothing_and_is_the_writers_output(runs: dict) -> None:
    out, summary = runs["none"]
    assert summary.faults == 0 and not (out / "truth" / "faults.csv").exists()
    network, simulation = simulate(facilities=FACILITIES, days=DAYS, seed=SEED, start=START)
    expected: dict[str, bytes] = {}
    for folder, render in WRITERS:
        rendered = render(network, simulation)
        items = rendered.items() if isinstance(rendered, dict) else rendered
        for name, text in items:
            expected[f"{folder}/{name}"] = text.encode("utf-8")
    written = _files(out)
    assert set(written) == set(expected)
    differing = {name for name in expected if written[name] != expected[name]}
    assert differing <= {"truth/kpis.json"}
    kpis, rendered_kpis = (json.loads(written["truth/kpis.json"]),
                           json.loads(expected["truth/kpis.json"]))
    assert {k: v for k, v in kpis.items() if k in rendered_kpis} == rendered_kpis
    assert set(kpis) - set(rendered_kpis) == {"integration_failure_rate", "transaction_latency"}


def test_faults_only_add_or_move_deliveries(runs: dict, faults: list) -> None:
    """Every fault-free file is delivered unchanged, under its name or (late / out of order)
    under the listed new name; in-file faults only insert listed messages."""
    clean, faulted = _files(runs["none"][0]), _files(runs["high"][0])
    moved = {f"{r['folder']}/{r['original_file']}": f"{r['folder']}/{r['file']}"
             for r in faults if r["kind"] in ("late_file", "out_of_order")}
    in_file = {f"{r['folder']}/{r['file']}" for r in faults
               if r["kind"] in ("duplicate_message", "unknown_facility")}
    for name, data in clean.items():
        if name.startswith("truth/"):
            continue
        delivered = moved.get(name, name)
        assert delivered in faulted, name
        if delivered not in in_file:
            assert faulted[delivered] == data, name
        else:
            split = (hl7_messages if name.endswith(".hl7")
                     else functools.partial(str.splitlines, keepends=True))
            remaining = split(faulted[delivered].decode())
            for message in split(data.decode()):
                remaining.remove(message)  # every original message / line / row is there
            assert remaining  # the extra ones
    extra = set(faulted) - {moved.get(n, n) for n in clean}
    listed = {f"{r['folder']}/{r['file']}" for r in faults} | {"truth/faults.csv"}
    assert extra <= listed


def test_truth_is_the_same_with_and_without_faults(runs: dict) -> None:
    clean, faulted = runs["none"][0] / "truth", runs["high"][0] / "truth"
    for path in clean.iterdir():
        if path.name != "kpis.json":
            assert (faulted / path.name).read_bytes() == path.read_bytes(), path.name
    kpis_clean = json.loads((clean / "kpis.json").read_text())
    kpis_faulted = json.loads((faulted / "kpis.json").read_text())
    for key in set(kpis_clean) - {"integration_failure_rate", "transaction_latency"}:
        assert kpis_faulted[key] == kpis_clean[key], key


# ------------------------------------------------------------------ each knob
def test_duplicate_file_is_byte_identical_to_its_original(high: Path, faults: list) -> None:
    for row in _of(faults, "duplicate_file"):
        folder = high / row["folder"]
        assert row["file"] != row["original_file"]
        assert (folder / row["file"]).read_bytes() == (folder / row["original_file"]).read_bytes()


def test_resent_835_differs_only_in_control_numbers(high: Path, faults: list,
                                                    tmp_path: Path) -> None:
    rows = _of(faults, "resent_835")
    for file in sorted({r["file"] for r in rows}):
        original_name = next(r["original_file"] for r in rows if r["file"] == file)
        resent = (high / "x12_835" / file).read_text()
        original = (high / "x12_835" / original_name).read_text()
        a, b = x12_segments(original), x12_segments(resent)
        assert len(a) == len(b)
        changed = set()
        for left, right in zip(a, b, strict=True):
            la, lb = left.split("*"), right.split("*")
            assert len(la) == len(lb) and la[0] == lb[0]
            changed |= {(la[0], i) for i, (x, y) in enumerate(zip(la, lb, strict=True))
                        if x != y}
        assert changed == {("ISA", 13), ("GS", 6), ("GE", 2), ("IEA", 2), ("ST", 2), ("SE", 2)}
        assert _pyx12_valid(resent.encode(), tmp_path)
        assert len([r for r in rows if r["file"] == file]) == original.count("~\nST*835*")


def test_duplicate_message_repeats_a_message_in_its_file(high: Path, faults: list) -> None:
    for row in _of(faults, "duplicate_message"):
        data = (high / row["folder"] / row["file"]).read_text()
        if row["file"].endswith(".hl7"):
            control = row["locator"].removeprefix("MSH-10=")
            copies = [m for m in hl7_messages(data) if hl7_field(m, "MSH", 10) == control]
            assert len(copies) == 2 and copies[0] == copies[1]
        else:
            lines = data.splitlines()
            line = lines[int(row["locator"].removeprefix("line=")) - 1]
            assert lines.count(line) >= 2


def test_out_of_order_file_arrives_after_a_later_event(high: Path, faults: list) -> None:
    """Every overtaken event (SIU message, FHIR Appointment version, vendor CSV row, 277CA
    claim status) is in the held file; the overtaking one, in a file delivered earlier, is a
    later event of the same appointment / claim."""
    for row in _of(faults, "out_of_order"):
        folder = high / row["folder"]
        held = folder / row["file"]
        key, held_time = status_event(row["folder"], held, row["locator"])
        later_locator, later_file = row["detail"].removeprefix("overtaken by ").split(" in ")
        later = folder / later_file
        later_key, later_time = status_event(row["folder"], later, later_locator)
        assert later_key == key and later_time > held_time, row
        assert mtime(held) > mtime(later)  # delivered later
        assert row["original_file"] != row["file"] and not (folder / row["original_file"]).exists()
        if row["folder"] == "hl7_siu":  # SIU names carry the delivery date: name order too
            assert held.name > later.name and row["original_file"] < later.name


def test_a_held_file_nothing_overtook_is_listed_as_late(high: Path, faults: list) -> None:
    held_back = [r for r in _of(faults, "late_file") if r["variant"] == "held_back"]
    assert held_back
    for row in held_back:
        path = high / row["folder"] / row["file"]
        assert row["folder"] in STATUS_FOLDERS and row["expected_handling"] == "late"
        assert mtime(path) == dt.datetime.fromisoformat(row["delivered_at"])
        assert not (high / row["folder"] / row["original_file"]).exists()
        assert not any(r["kind"] == "out_of_order" and r["file"] == row["file"] for r in faults)


def test_late_file_is_delivered_after_month_end(high: Path, faults: list) -> None:
    for row in _of(faults, "late_file"):
        if row["variant"] == "held_back":
            continue
        path = high / row["folder"] / row["file"]
        _, dated = name_date(row["original_file"])
        assert dated is not None
        delivered = dt.datetime.fromisoformat(row["delivered_at"])
        assert (delivered.year, delivered.month) > (dated.year, dated.month)
        assert any(delivered.strftime(f) in row["file"] for f in ("%Y%m%d", "%m%d%Y"))
        assert mtime(path) == delivered


def _fails_independent_reader(folder: str, name: str, data: bytes, variant: str,
                              tmp_path: Path, x212_maps: Path) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return variant == "bad_encoding"
    if name.endswith(".x12"):
        return not _x12_valid(data, tmp_path, x212_maps)
    if name.endswith(".hl7"):
        try:
            message = hl7.parse(text)
            trigger = str(message.segment("MSH")[9][0][1])
            for required in ("SCH", "PID", "PV1", "AIL"):
                message.segment(required)
            return trigger not in SIU_TRIGGERS or not str(message.segment("SCH")[25])
        except (KeyError, IndexError, hl7.ParseException):
            return True
    if name.endswith(".ndjson"):
        try:
            resource = json.loads(text)
        except json.JSONDecodeError:
            return True
        from fhir.resources import get_fhir_model_class

        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception:  # noqa: BLE001 - pydantic / KeyError: invalid for the reader
            return True
        return False
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text)))
        if len(rows) != 2 or len(rows[0]) != len(rows[1]):
            return True
        status = next((i for i, c in enumerate(rows[0]) if "status" in c.lower()), None)
        return status is not None and rows[1][status] not in _statuses(folder)
    return False


_STATUS_VOCABULARY: dict[str, set[str]] = {}


def _statuses(folder: str) -> set[str]:
    """Status values of the well-formed CSV files of a folder (the vocabulary in use)."""
    return _STATUS_VOCABULARY.get(folder, set())


def test_malformed_messages_fail_an_independent_reader(high: Path, faults: list,
                                                       tmp_path: Path, x212_maps: Path) -> None:
    malformed = {r["file"] for r in faults if r["kind"] == "malformed"}
    for path in high.rglob("*.csv"):
        folder = path.relative_to(high).parts[0]
        if folder != "truth" and str(path.relative_to(high / folder)) not in malformed:
            rows = list(csv.reader(io.StringIO(path.read_text())))
            status = next((i for i, c in enumerate(rows[0]) if "status" in c.lower()), None)
            if status is not None:
                _STATUS_VOCABULARY.setdefault(folder, set()).update(r[status] for r in rows[1:])
    for row in _of(faults, "malformed"):
        data = (high / row["folder"] / row["file"]).read_bytes()
        assert _fails_independent_reader(row["folder"], row["file"], data, row["variant"],
                                         tmp_path, x212_maps), row


def test_malformed_copies_are_never_the_only_carrier(high: Path, faults: list) -> None:
    """The original file of every malformed copy is delivered well-formed."""
    for row in _of(faults, "malformed"):
        original = (high / row["folder"] / row["original_file"]).read_bytes()
        original.decode("utf-8")
        if row["file"].endswith(".hl7"):
            control = row["locator"].removeprefix("MSH-10=").removesuffix("E")
            assert control in {hl7_field(m, "MSH", 10) for m in hl7_messages(original.decode())}


def test_unknown_facility_messages_name_no_known_facility(high: Path, faults: list) -> None:
    """A phantom appointment in each scheduling channel: an HL7 message (MSH-4, AIL-3.4), a
    vendor CSV row (Site) or a FHIR export of the unknown facility (its folder, the Location
    and identifiers), well-formed (the FHIR one validates as R4)."""
    extracts = sorted((high / "erp_master").iterdir())
    with (extracts[-1] / "facilities.csv").open(newline="") as handle:
        known = {r["facility_code"] for r in csv.DictReader(handle)}
    for row in _of(faults, "unknown_facility"):
        path = high / row["folder"] / row["file"]
        locator = dict(part.split("=", 1) for part in row["locator"].split(";"))
        if row["folder"] == "hl7_siu":
            messages = [m for m in hl7_messages(path.read_text())
                        if hl7_field(m, "MSH", 10) == locator["MSH-10"]]
            assert len(messages) == 1 and locator["MSH-4"] not in known
            assert hl7_field(messages[0], "MSH", 4) == locator["MSH-4"]
            assert hl7_field(messages[0], "AIL", 3).split("^")[3] == locator["MSH-4"]
        elif row["folder"] == "vendor_csv":
            rows = list(csv.DictReader(io.StringIO(path.read_text())))
            phantom = rows[int(locator["row"]) - 1]
            assert locator["facility"] not in known
            assert phantom["Site"].split("-")[0] == locator["facility"]
            assert locator["facility"] in phantom["Appt ID"] + phantom["Account No"]
            twin = [r for r in rows if r is not phantom and r["Last Modified"]
                    == phantom["Last Modified"] and r["Provider NPI"] == phantom["Provider NPI"]]
            assert twin  # a copy of a real row of the file
        else:
            facility = row["file"].split("/")[0]
            assert facility == locator["facility"] not in known
            assert row["original_file"].split("/")[1:] == row["file"].split("/")[1:]
            line = path.read_text().splitlines()[int(locator["line"]) - 1]
            resource = json.loads(line)
            Appointment.model_validate(resource)
            assert resource["id"] == locator["id"] and facility in resource["id"]
            locations = [p["actor"]["reference"] for p in resource["participant"]
                         if p["actor"]["reference"].startswith("Location/")]
            assert locations == [f"Location/{facility}-{locations[0].split('-', 1)[1]}"]


# ------------------------------------------------------------------ integration truth
def test_integration_truth_counts_the_dead_letters(high: Path, faults: list) -> None:
    kpis = json.loads((high / "truth" / "kpis.json").read_text())
    failure = kpis["integration_failure_rate"]
    dead = Counter(r["folder"] for r in faults if r["expected_handling"] == "dead_letter")
    assert failure["dead_lettered"] == sum(dead.values())
    for source, count in dead.items():
        by_day = failure["by_source_day"][source]
        assert failure["by_source"][source]["dead_lettered"] == count
        assert sum(v["dead_lettered"] for v in by_day.values()) == count
    hl7_received = sum(len(hl7_messages(p.read_text("latin-1")))
                       for p in (high / "hl7_siu").glob("*.hl7"))
    assert failure["by_source"]["hl7_siu"]["received"] == hl7_received
    latency = kpis["transaction_latency"]["by_source"]
    assert {"hl7_siu", "x12_837", "x12_835"} <= set(latency)
    assert all(0 < v["p50_minutes"] <= v["p95_minutes"] for v in latency.values())


def test_mtime_is_the_delivery_time(high: Path, faults: list) -> None:
    for row in faults:
        if row["kind"] in ("duplicate_file", "resent_835", "malformed", "late_file"):
            assert mtime(high / row["folder"] / row["file"]) == (
                dt.datetime.fromisoformat(row["delivered_at"]))
    assert os.path.getmtime(high / "hl7_siu") > 0


def test_malformed_output_is_listed_and_nowhere_else(high: Path, faults: list,
                                                     tmp_path: Path, x212_maps: Path) -> None:
    """Every delivered file not listed as malformed is well-formed: UTF-8; HL7 messages parse
    with python-hl7 with a known trigger; NDJSON lines are JSON; X12 files the faults wrote
    (copies, re-sends, moved files) pass pyx12 (untouched files are byte-identical to the
    fault-free run, validated by test_sim_validity / test_sim_claims_lifecycle /
    test_sim_claim_status; a 276 by its structural check)."""
    malformed = {(r["folder"], r["file"]) for r in faults if r["kind"] == "malformed"}
    touched = {(r["folder"], r["file"]) for r in faults if r["kind"] != "malformed"}
    checked_x12 = 0
    for path in sorted(p for p in high.rglob("*") if p.is_file()):
        folder, name = path.relative_to(high).parts[0], "/".join(path.relative_to(high).parts[1:])
        if folder == "truth" or (folder, name) in malformed:
            continue
        text = path.read_bytes().decode("utf-8")
        if name.endswith(".hl7"):
            for raw in hl7_messages(text):
                message = hl7.parse(raw)
                assert str(message.segment("MSH")[9][0][1]) in SIU_TRIGGERS
                message.segment("PV1")
        elif name.endswith(".ndjson"):
            for line in text.splitlines():
                json.loads(line)
        elif name.endswith(".x12") and (folder, name) in touched:
            assert _x12_valid(path.read_bytes(), tmp_path, x212_maps), name
            checked_x12 += 1
    assert checked_x12 > 0
