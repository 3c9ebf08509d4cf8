"""The streaming X12 tokenizer: separators, envelopes, transactions, envelope errors."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import interchange, isa, transaction

from ingest import x12
from ingest.x12 import Transaction, X12Error, iter_transactions, read_separators, tokenize

BODY = ["BHT*0019*00*B1*20260105*1200*CH"]


def _items(data: bytes) -> list[Transaction | X12Error]:
    return list(iter_transactions(data))


def test_separators_come_from_the_isa_header() -> None:
    text = isa(es="|", rep="!", comp=">") + "\x1d"
    seps = read_separators(text)
    assert not isinstance(seps, str)
    assert (seps.element, seps.repetition, seps.component, seps.segment) == ("|", "!", ">", "\x1d")


def test_bad_isa_length_is_explained() -> None:
    short = isa().replace("SUBMITTER      ", "SUBMITTER") + "~"
    reason = read_separators(short + "GS*HC~")
    assert isinstance(reason, str) and "expected 16" in reason
    assert read_separators(isa()[:60]) == "ISA header is 60 characters long, expected 106"


def test_tokenize_tolerates_line_breaks_and_no_line_breaks() -> None:
    flat = "ST*835*1~BPR*I*1~SE*3*1~"
    broken = "ST*835*1~\r\nBPR*I*1~\nSE*3*1~\r\n"
    seps = read_separators(isa() + "~")
    assert not isinstance(seps, str)
    assert (
        list(tokenize(flat, seps))
        == list(tokenize(broken, seps))
        == [
            ["ST", "835", "1"],
            ["BPR", "I", "1"],
            ["SE", "3", "1"],
        ]
    )


def test_envelope_values_and_several_transactions_per_file() -> None:
    data = interchange(
        [transaction("837", "0001", BODY, "005010X222A1"), transaction("837", "0002", BODY)],
        "005010X222A1",
        control="000000777",
        gs06="42",
        sender="BILLER01",
        newline="",
    )
    items = _items(data)
    assert [type(i) for i in items] == [Transaction, Transaction]
    first, second = items
    assert isinstance(first, Transaction) and isinstance(second, Transaction)
    env = first.envelope
    assert (env.sender_id, env.interchange_control_number, env.group_control_number) == (
        "BILLER01",
        "000000777",
        "42",
    )
    assert (env.transaction_set_id, env.transaction_control_number) == ("837", "0001")
    assert env.version == "005010X222A1" and second.envelope.implementation_reference is None
    assert second.envelope.version == "005010X222A1"  # GS08 when ST03 is absent
    assert first.segments[0] == ["ST", "837", "0001", "005010X222A1"]
    assert first.segments[-1] == ["SE", "3", "0001"]
    assert second.index == 1
    # the payload is self-contained: ISA + GS + the transaction, re-parseable on its own
    replay = _items(second.raw.encode())
    assert isinstance(replay[0], Transaction) and replay[0].segments == second.segments


def test_two_interchanges_with_different_separators() -> None:
    first = interchange([transaction("835", "1", BODY)], "005010X221A1", control="000000001")
    second = interchange([transaction("835", "2", BODY)], "005010X221A1", control="000000002")
    second = second.replace(b":~", b">~", 1)  # another component separator (ISA16)
    items = _items(first + second)
    assert [i.envelope.interchange_control_number for i in items if isinstance(i, Transaction)] == [
        "000000001",
        "000000002",
    ]
    assert [i.separators.component for i in items if isinstance(i, Transaction)] == [":", ">"]


def test_no_isa_is_one_envelope_error() -> None:
    (item,) = _items(b"ST*835*1234~BPR*I*1~SE*3*1234~")
    assert isinstance(item, X12Error) and item.error_class == "EnvelopeError"
    assert "no ISA" in item.reason and "ST*835*1234" in item.reason


def test_garbage_bytes_are_an_encoding_error() -> None:
    (item,) = _items(bytes(range(256)) * 4)
    assert isinstance(item, X12Error) and item.error_class == "EncodingError"


def test_se_count_mismatch_and_missing_se() -> None:
    good = transaction("835", "0001", BODY)
    bad_count = [*transaction("835", "0002", BODY)[:-1], "SE*9*0002"]
    truncated = transaction("835", "0003", BODY)[:-1]
    data = interchange([good, bad_count, truncated], "005010X221A1")
    items = _items(data)
    assert isinstance(items[0], Transaction)
    assert isinstance(items[1], X12Error) and items[1].error_class == "EnvelopeError"
    assert "SE01 segment count '9'" in items[1].reason and items[1].index == 1
    assert isinstance(items[2], X12Error) and items[2].error_class == "Truncated"
    assert "ST02='0003'" in items[2].reason and "no SE" in items[2].reason
    assert "BHT*0019" in items[2].payload


def test_segments_outside_a_transaction_are_reported() -> None:
    data = interchange([transaction("835", "1", BODY)], "005010X221A1")
    data = data.replace(b"GE*", b"JUNK*1~\nGE*", 1)
    items = _items(data)
    assert isinstance(items[0], Transaction)
    assert isinstance(items[1], X12Error) and "outside any transaction" in items[1].reason
    assert "'JUNK'" in items[1].reason


def _bare_segments(data: bytes) -> list[list[str]]:
    """An independent reading: split on the terminator, strip line breaks, split elements."""
    text = data.decode()
    pieces = (p.strip("\r\n") for p in text.split("~"))
    return [p.split("*") for p in pieces if p]


LINES = [
    "BHT*0019*00*B1*20260105*1200*CH",
    "NM1*41*2*HOUSE*****46*SE",  # "SE" and "SE*" inside elements end nothing
    "N3*CASE*ROSE*",
    "N4*STANTON*SE*12345",
    "REF*EI*SE*1",
]


def test_layouts_of_line_breaks_give_the_same_segments() -> None:
    """One transaction per layout: no breaks, LF, CRLF, blank lines, a mix; each read as a
    bare split reads it."""
    body = transaction("837", "0001", LINES)
    flat = interchange([body], "005010X222A1", newline="")
    for layout in (flat, flat.replace(b"~", b"~\n"), flat.replace(b"~", b"~\r\n"),
                   flat.replace(b"~", b"~\n\n"), flat.replace(b"~N", b"~\nN")):  # fmt: skip
        (txn,) = _items(layout)
        assert isinstance(txn, Transaction)
        assert txn.segments == _bare_segments(layout)[2:-2]  # ST .. SE


def test_a_truncated_transaction_before_the_next_one() -> None:
    """No SE before the next ST: the first is Truncated, the second reads whole (its SE does
    not close the first)."""
    first = transaction("837", "0001", LINES)[:-1]
    second = transaction("837", "0002", LINES)
    items = _items(interchange([first, second], "005010X222A1"))
    assert isinstance(items[0], X12Error) and items[0].error_class == "Truncated"
    assert "ST02='0001'" in items[0].reason and "cut off at segment ST" in items[0].reason
    assert (
        isinstance(items[1], Transaction) and items[1].envelope.transaction_control_number == "0002"
    )
    assert len(items[1].segments) == len(LINES) + 2


def test_an_se_without_elements_and_an_overlong_segment_id() -> None:
    bare_se = [*transaction("837", "0001", LINES)[:-1], "SE"]
    long_id = transaction("837", "0002", [*LINES[:2], "NM1X*41*2", *LINES[2:]])
    items = _items(interchange([bare_se, long_id], "005010X222A1"))
    assert [type(i) for i in items] == [X12Error, X12Error]
    assert items[0].error_class == "EnvelopeError" and "SE01 segment count ''" in items[0].reason
    assert items[1].error_class == "InvalidValue" and "invalid segment id 'NM1X'" in items[1].reason


def test_segments_match_a_bare_split_on_the_simulated_files(tmp_path: Path) -> None:
    """Every transaction of a simulated network's X12 files, as a bare split reads it."""
    from simulator.faults import FaultParams
    from simulator.generate import generate

    generate(tmp_path, facilities=1, days=5, seed=5, faults=FaultParams.none())
    files = [
        p for d in ("x12_835", "x12_837", "x12_277", "x12_999") for p in (tmp_path / d).glob("*")
    ]
    assert files
    for path in files:
        data = path.read_bytes()
        items = _items(data)
        assert all(isinstance(i, Transaction) for i in items), path.name
        segments = [seg for i in items for seg in i.segments]  # type: ignore[union-attr]
        expected = [s for s in _bare_segments(data) if s[0] not in ("ISA", "GS", "GE", "IEA")]
        assert segments == expected, path.name


def _summary(item: Transaction | X12Error) -> tuple[object, ...]:
    if isinstance(item, Transaction):
        return ("transaction", item.segments, item.raw, item.envelope, item.index)
    return ("error", item.error_class, item.reason, item.payload, item.index)


def test_the_quick_body_reads_as_the_piece_by_piece_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick way through a transaction body (`_Walker._body`: one scan in the usual
    layout, else a split and an id check) gives what the piece by piece scan gives, for
    bodies holding envelope segments, long or envelope-like ids, stray line breaks and mixed
    layouts."""
    rng = random.Random("x12-quick-body")
    oddities = ["ST*837*0009", "SE*3*0001", "SE", "GS*HC*X", "GE*1*1", "IEA*1*1", "ISA|00|X",
                "NM1X*41", "STC*A1", "SEX*1", "ISAX", "GEN", "\r", "\n", "", "~"]  # fmt: skip
    files = []
    for _ in range(300):
        lines = list(LINES)
        for _ in range(rng.randrange(3)):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(oddities))
        first = transaction("837", "0001", lines)
        data = interchange([first, transaction("837", "0002", LINES)], "005010X222A1",
                           newline=rng.choice(["\n", "\n", "", "\r\n"]))  # fmt: skip
        if rng.random() < 0.3:  # one terminator in another layout
            at = rng.choice([m.start() for m in re.finditer(b"~", data)])
            data = (
                data[:at]
                + rng.choice([b"~", b"~\r\n", b"~\n\n", b"~\r"])
                + data[at + 1 :].lstrip(b"\r\n")
            )
        files.append(data)
    quick = [[_summary(i) for i in _items(data)] for data in files]
    assert sum(isinstance(i, Transaction) for data in files for i in _items(data)) > 300
    monkeypatch.setattr(x12._Walker, "_body", lambda self, after: None)
    assert quick == [[_summary(i) for i in _items(data)] for data in files]
