"""GS04 / GS05, the functional group's creation time, on every X12 record that forms a message
(decision 0031): read as written (naive, the sender's clock), per group, by every reader."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import ModuleType

import pytest
from conftest import compare_readings, interchange, transaction

from ingest.formats import x12_277, x12_835, x12_837, x12_999
from ingest.formats._x12_group_time import parse_group_time
from ingest.records import DeadLetter
from ingest.x12 import X12ValueError

# one corpus file per reader and transaction kind (the 277 folder holds 277CA and X212)
CORPUS = {
    "837P": (x12_837, "x12_837/dwai__X223-two-claims-for-the-same-provider.edi"),
    "835": (x12_835, "x12_835/dwai__X221-claim-adjustment-reason-code-45.edi"),
    "277CA": (x12_277, "x12_277/hdi__277CA-all-fields.edi"),
    "277 X212": (x12_277, "x12_277/hdi__X212-277-claim-response.edi"),
    "276 X212": (x12_277, "x12_277/hdi__X212-276-claim-request.edi"),
}
TIMED_KINDS = {
    "claim_submission",
    "claim_service_line",
    "claim_status",
    "claim_status_inquiry",
    "remittance_payment",
    "batch_acknowledgment",
    "transaction_set_acknowledgment",
}
ACK_999 = ["AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"]


def _with_group_time(data: bytes, day: str, time: str) -> bytes:
    """The file with every GS04 / GS05 replaced (separators from the ISA)."""
    text = data.decode("latin-1")
    start = text.index("ISA")
    element, terminator = text[start + 3], text[start + 105]
    segments = text.split(terminator)
    for i, seg in enumerate(segments):
        fields = seg.split(element)
        if fields[0].strip() == "GS":
            fields[4:6] = [day, time]
            segments[i] = element.join(fields)
    return terminator.join(segments).encode("latin-1")


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_message_record_carries_its_group_time(corpus_dir: Path, name: str) -> None:
    reader, path = CORPUS[name]
    data = _with_group_time((corpus_dir / path).read_bytes(), "20260214", "093015")
    items = list(reader.parse(data, path))
    timed = [r for r in items if r.kind in TIMED_KINDS]
    assert timed and not any(isinstance(i, DeadLetter) for i in items), items
    assert {r.group_created_at for r in timed} == {dt.datetime(2026, 2, 14, 9, 30, 15)}


def test_999_records_carry_the_group_time() -> None:
    data = interchange([transaction("999", "0001", ACK_999, "005010X231A1")], "005010X231A1")
    items = list(x12_999.parse(data.replace(b"*1200*", b"*0745*"), "a.999"))
    assert [r.kind for r in items] == ["transaction_set_acknowledgment", "batch_acknowledgment"]
    assert {r.group_created_at for r in items} == {dt.datetime(2026, 1, 5, 7, 45)}


def test_each_group_keeps_its_own_time(corpus_dir: Path) -> None:
    """Two groups in one interchange: a record takes its own group's GS04 / GS05."""
    text = (corpus_dir / CORPUS["837P"][1]).read_text()
    head, rest = text.split("GS*", 1)
    group = "GS*" + rest[: rest.index("IEA*")]
    second = re.sub(r"^(GS\*[^*]*\*[^*]*\*[^*]*\*)[^*]*\*[^*]*", r"\g<1>20260301*2359", group)
    items = list(x12_837.parse((head + group + second + "IEA*2*000000001~").encode(), "two"))
    times = [r.group_created_at for r in items if r.kind == "claim_submission"]
    assert len(times) % 2 == 0 and len(set(times)) == 2
    assert times[len(times) // 2 :] == [dt.datetime(2026, 3, 1, 23, 59)] * (len(times) // 2)


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("0930", dt.datetime(2026, 1, 5, 9, 30)),
        ("093015", dt.datetime(2026, 1, 5, 9, 30, 15)),
        ("0930155", dt.datetime(2026, 1, 5, 9, 30, 15, 500000)),
        ("09301507", dt.datetime(2026, 1, 5, 9, 30, 15, 70000)),
    ],
)
def test_gs05_precisions(time: str, expected: dt.datetime) -> None:
    assert parse_group_time("20260105", time) == expected


@pytest.mark.parametrize(
    ("day", "time"),
    [("2026015", "0930"), ("20260105", "930"), ("20260230", "0930"), ("20260105", "2460")],
)
def test_a_bad_group_time_is_refused(day: str, time: str) -> None:
    with pytest.raises(X12ValueError, match="GS0"):
        parse_group_time(day, time)


@pytest.mark.parametrize("reader", [x12_837, x12_835, x12_277], ids=lambda m: m.SOURCE)
def test_a_bad_group_time_dead_letters_the_transaction(
    corpus_dir: Path, reader: ModuleType
) -> None:
    """A GS05 that is no time: every transaction of the group is one dead letter saying so
    (both readings of the 837 / 835 agree), nothing lands with a made-up time."""
    path = next(p for p in CORPUS.values() if p[0] is reader)[1]
    data = _with_group_time((corpus_dir / path).read_bytes(), "20260105", "2599")
    items = list(reader.parse(data, path))
    assert items and all(isinstance(i, DeadLetter) for i in items)
    assert all("GS04 / GS05" in i.reason and i.error_class == "InvalidValue" for i in items)
    if reader is not x12_277:
        compare_readings(reader, [data])
