"""The skeleton shape (the one the end-to-end pipeline ingests): its 835s pass pyx12 and cover
every 835 variant, and every HL7 message parses with the expected trigger event and fields.
(Every X12 file of the full lifecycle, a superset of the segments written here, is validated
in test_sim_claims_lifecycle.py.)"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import hl7
import pytest
import pyx12.map_if
import pyx12.params
import pyx12.x12n_document

PARAMS = pyx12.params.params()  # one instance: it is part of the map cache key
STATUS_BY_TRIGGER = {"S12": "Booked", "S13": "Booked", "S14": "Complete", "S15": "Cancelled",
                     "S26": "Noshow"}


@pytest.fixture(scope="module", autouse=True)
def cached_pyx12_maps() -> Iterator[None]:
    """pyx12 re-reads its XML maps for every document (most of its run time); the maps are
    not modified by validation, so load each once for this module."""
    original = pyx12.map_if.load_map_file
    pyx12.map_if.load_map_file = functools.cache(original)
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    yield
    pyx12.map_if.load_map_file = original


def pyx12_errors(path: Path) -> str | None:
    """None when pyx12 finds no error, else its JSON error report."""
    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        param=PARAMS, src_file=str(path), fd_997=None, fd_html=None,
        fd_xmldoc=None, fd_json=report)
    return None if valid else report.getvalue()


def test_every_835_of_the_skeleton_passes_pyx12(small_dataset: Path) -> None:
    files = sorted((small_dataset / "x12_835").glob("*.x12"))
    assert files
    failures = {p.name: errors for p in files if (errors := pyx12_errors(p)) is not None}
    assert failures == {}


def test_validated_835s_cover_every_variant(small_dataset: Path) -> None:
    text = "".join(p.read_text() for p in (small_dataset / "x12_835").glob("*.x12"))
    denials = [c.split("~\n")[1][:3] for c in text.split("CLP*")[1:] if c.split("*")[1] == "4"]
    assert "BPR*H*0*C*NON" in text
    assert {"CAS", "NM1"} <= set(denials)  # claim-level CAS / line-level CAS after SVC
    assert "CAS*PR*" in text and "CAS*CO*45*" in text


def test_pyx12_catches_a_broken_segment_count(small_dataset: Path, tmp_path: Path) -> None:
    original = sorted((small_dataset / "x12_837").glob("*.x12"))[0].read_text()
    se = next(s for s in original.split("~\n") if s.startswith("SE*"))
    broken = tmp_path / "broken.x12"
    broken.write_text(original.replace(se + "~", "SE*3*" + se.split("*")[2] + "~", 1))
    assert pyx12_errors(broken) is not None


def _messages(path: Path) -> list[hl7.Message]:
    text = path.read_bytes().decode("utf-8")
    return [hl7.parse(m) for m in text.split("\n") if m.strip()]


def test_every_hl7_message_parses_with_its_trigger_event(small_dataset: Path) -> None:
    files = sorted((small_dataset / "hl7_siu").glob("*.hl7"))
    control_ids: set[str] = set()
    triggers: set[str] = set()
    count = 0
    for path in files:
        facility = path.stem.split("_")[1]
        times = []
        messages = _messages(path)
        count += len(messages)
        for message in messages:
            msh = message.segment("MSH")
            trigger = str(msh[9][0][1])
            assert str(msh[9]) == f"SIU^{trigger}^SIU_{trigger}"
            assert str(msh[12]) == "2.5.1"
            assert [str(s[0]) for s in message] == ["MSH", "SCH", "TQ1", "PID", "PV1", "RGS",
                                                   "AIS", "AIL", "AIP"]
            sch = message.segment("SCH")
            assert str(sch[25]) == STATUS_BY_TRIGGER[trigger]
            if trigger == "S15":
                assert str(sch[6][0][0])
            assert str(message.segment("AIL")[3][0][3]) == facility
            assert str(message.segment("PV1")[19]).startswith(f"V{facility}")
            assert str(message.segment("TQ1")[7]) < str(message.segment("TQ1")[8])
            assert str(sch[11]).split("^")[3] == str(message.segment("TQ1")[7])
            triggers.add(trigger)
            control_ids.add(str(msh[10]))
            times.append(str(msh[7]))
        assert times == sorted(times)
        assert path.stem.split("_")[2] == times[0][:8] == times[-1][:8]
    assert triggers == set(STATUS_BY_TRIGGER)
    assert len(control_ids) == count
