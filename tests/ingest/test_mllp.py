"""The live MLLP listener, over loopback with python-hl7's MLLP client."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import hl7
import pytest
from hl7.client import MLLPClient

from ingest import landing, mllp
from ingest.pipeline import land_source

S12 = [
    "MSH|^~\\&|SCHED|NORTH^1.2.3^ISO|HCOPS|HCOPS|20260105083000||SIU^S12^SIU_S12|{id}|P|2.5.1",
    "SCH|PL100^SCHED|{apt}^SCHED|||||ROUTINE^Routine visit||||||||||||||||||Booked",
    "TQ1|1||||||20260112090000|20260112093000",
    "PID|1||MRN001^^^NORTH^MR||DOE^JANE",
    "PV1|1|O|CLINIC^^^NORTH01||||||||||||||||V1001",
    "AIS|1|A|99213^Office visit^CPT",
    "AIL|1|A|CARDIO^^^NORTH01",
    "AIP|1|A|2222222222^SMITH^JOHN",
]


def siu(control_id: str, appointment: str = "APT100", drop: str | None = None) -> str:
    segments = [s.format(id=control_id, apt=appointment) for s in S12]
    return "\r".join(s for s in segments if drop is None or not s.startswith(drop)) + "\r"


def _send(port: int, messages: Sequence[str]) -> list[hl7.Message]:
    with MLLPClient("127.0.0.1", port) as client:
        return [hl7.parse(client.send_message(m).strip(b"\x0b\x1c\r").decode()) for m in messages]


def _run(
    warehouse: Path,
    messages: Sequence[str],
    inbox: Path | None = None,
    land: mllp.Lander = landing.land_bytes,
    **options: Any,
) -> tuple[list[hl7.Message], mllp.Stats]:
    async def main() -> tuple[list[hl7.Message], mllp.Stats]:
        listener = mllp.MllpListener(warehouse, port=0, inbox=inbox, land=land, **options)
        async with listener:
            acks = await asyncio.to_thread(_send, listener.port, messages)
        return acks, listener.stats

    return asyncio.run(main())


def _count(warehouse: Path, sql: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _msa(ack: hl7.Message) -> tuple[str, str]:
    return str(ack["MSA.F1"]), str(ack["MSA.F2"])


def test_good_duplicate_and_malformed_messages(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    messages = [
        siu("M1", "APT1"),
        siu("M2", "APT2"),
        siu("M3", "APT3"),
        siu("M2", "APT2"),  # the sender did not see our ACK and re-sent
        siu("M4", "APT4", drop="SCH"),  # no SCH: cannot be an appointment event
    ]
    acks, stats = _run(warehouse, messages)

    assert [_msa(a) for a in acks] == [
        ("AA", "M1"),
        ("AA", "M2"),
        ("AA", "M3"),
        ("AA", "M2"),
        ("AE", "M4"),
    ]
    assert _count(warehouse, "select count(*) from raw.appointment_event") == 3
    assert _count(warehouse, "select count(*) from raw.dead_letters") == 1
    assert (stats.received, stats.landed, stats.duplicates, stats.dead_lettered) == (5, 3, 1, 1)
    assert stats.conserved and stats.refused == 0
    # every delivery is a conserved batch in the warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        totals = con.execute(
            """select sum(received), sum(landed), sum(duplicates), sum(dead_lettered),
                      count(*) filter (where received <> landed + duplicates + dead_lettered)
               from raw.landing_batches where source = 'hl7_siu'"""
        ).fetchone()
        dead = con.execute(
            "select error_class, source_file, payload from raw.dead_letters"
        ).fetchone()
    assert totals == (5, 3, 1, 1, 0)
    assert dead is not None and dead[0] == "MissingSegment"
    assert dead[1] == "hl7_siu/mllp/NORTH/M4.hl7" and dead[2].startswith("MSH|")

    ack = acks[4]  # a proper HL7 ACK: swapped sender / receiver, ERR with the reason
    assert str(ack["MSH.F3"]) == "HCOPS" and str(ack["MSH.F5"]) == "SCHED"
    assert str(ack["MSH.F6.R1.C1"]) == "NORTH" and str(ack.segment("MSH")[9]) == "ACK^S12^ACK"
    assert str(ack["ERR.F3.R1.C1"]) == "101" and "SCH" in str(ack["ERR.F8"])
    assert "ERR" not in [str(s[0]) for s in acks[0]]


def test_unidentifiable_message_is_rejected_and_dead_lettered(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    acks, stats = _run(warehouse, ["PID|1||MRN001\rSCH|1|2\r"])
    assert _msa(acks[0]) == ("AR", "")
    assert stats.dead_lettered == 1 and stats.conserved
    row = "select source_file from raw.dead_letters"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (source_file,) = con.execute(row).fetchone() or ("",)
    assert source_file.startswith("hl7_siu/mllp/unidentified/sha-")


def test_not_siu_is_rejected(tmp_path: Path) -> None:
    adt = siu("M9").replace("SIU^S12^SIU_S12", "ADT^A01^ADT_A01")
    acks, _ = _run(tmp_path / "w.duckdb", [adt], hold_warehouse=True)
    assert _msa(acks[0]) == ("AR", "M9")
    assert str(acks[0]["ERR.F3.R1.C1"]) == "200"


def _failing_batch_row(*args: object, **kwargs: object) -> None:
    raise duckdb.IOException("simulated: disk full while committing")


def test_no_aa_before_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch row is the last write of the landing transaction: when it fails, the records
    written before it roll back, the sender gets AE (not AA) and can re-send."""
    warehouse = tmp_path / "warehouse.duckdb"
    inbox = tmp_path / "landing" / "hl7_siu"
    with monkeypatch.context() as patch:
        patch.setattr(landing, "_insert_batch_row", _failing_batch_row)
        acks, stats = _run(warehouse, [siu("M1", "APT1")], inbox=inbox)
    assert _msa(acks[0]) == ("AE", "M1")
    assert str(acks[0]["ERR.F3.R1.C1"]) == "207" and "send it again" in str(acks[0]["ERR.F8"])
    assert stats.refused == 1 and stats.conserved
    for table in ("appointment_event", "dead_letters", "landing_batches"):
        assert _count(warehouse, f"select count(*) from raw.{table}") == 0
    assert not [p for p in inbox.rglob("*") if p.is_file()]  # not acknowledged, not kept

    acks, _ = _run(warehouse, [siu("M1", "APT1")], inbox=inbox)  # the re-send lands
    assert _msa(acks[0]) == ("AA", "M1")
    assert _count(warehouse, "select count(*) from raw.appointment_event") == 1


def test_a_failing_lander_never_yields_aa(tmp_path: Path) -> None:
    def broken(*args: object, **kwargs: object) -> landing.BatchResult:
        raise OSError("warehouse unavailable")

    acks, stats = _run(tmp_path / "w.duckdb", [siu("M1"), siu("M2", drop="SCH")], land=broken)
    assert [_msa(a)[0] for a in acks] == ["AE", "AE"]
    assert stats.refused == 2 and stats.received == 2 and stats.conserved


def test_inbox_files_are_not_landed_twice_by_the_file_sweep(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    inbox = tmp_path / "landing" / "hl7_siu"
    bad = siu("M4", drop="SCH")
    reused = siu("M1", "APT9")  # the same control id on another message: kept apart
    messages = [siu("M1", "APT1"), siu("M1", "APT1"), bad, reused]
    acks, stats = _run(warehouse, messages, inbox=inbox)
    assert [_msa(a)[0] for a in acks] == ["AA", "AA", "AE", "AA"]
    assert (stats.landed, stats.duplicates, stats.dead_lettered) == (1, 2, 1)
    files = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert len(files) == 2 and files[0].startswith("mllp/NORTH/M1.")  # accepted ones only
    assert files[1] == "mllp/NORTH/M1.hl7"
    assert (inbox / files[1]).read_bytes() == messages[0].encode()

    batches = land_source(warehouse, "hl7_siu", inbox)
    assert [b.skipped for b in batches] == [True, True]
    assert _count(warehouse, "select count(*) from raw.appointment_event") == 1


def test_frames_split_across_reads_and_several_per_connection(tmp_path: Path) -> None:
    """A raw socket: one write holding two frames, then a frame in two pieces."""
    warehouse = tmp_path / "warehouse.duckdb"

    async def main() -> list[bytes]:
        async with mllp.MllpListener(warehouse, port=0, hold_warehouse=True) as listener:
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
            frame: Callable[[str], bytes] = lambda m: b"\x0b" + m.encode() + b"\x1c\r"  # noqa: E731
            writer.write(frame(siu("M1", "A1")) + frame(siu("M2", "A2")))
            third = frame(siu("M3", "A3"))
            writer.write(third[:40])
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.write(third[40:])
            acks = [await reader.readuntil(b"\x1c\r") for _ in range(3)]
            writer.close()
            await writer.wait_closed()
        return acks

    acks = asyncio.run(main())
    assert [hl7.parse(a.strip(b"\x0b\x1c\r").decode())["MSA.F2"] for a in acks] == [
        "M1",
        "M2",
        "M3",
    ]
    assert _count(warehouse, "select count(*) from raw.appointment_event") == 3


def test_ack_escapes_delimiters_in_the_reason() -> None:
    header = mllp.read_header(siu("X1"))
    assert header is not None
    ack = mllp.build_ack(header, "AE", "field | and ^ and ~ and \\ and &\rnewline")
    err = ack.split("\r")[2]
    assert err.endswith("field \\F\\ and \\S\\ and \\R\\ and \\E\\ and \\T\\ newline")


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_busy_warehouse_is_waited_for_then_refused(tmp_path: Path) -> None:
    """Another process (a Dagster run, dbt) holds DuckDB's file lock: the listener retries
    within its busy timeout, and answers AE (re-send later) when it stays busy."""
    warehouse = tmp_path / "warehouse.duckdb"

    async def main(hold: float, timeout: float) -> tuple[list[hl7.Message], mllp.Stats]:
        listener = mllp.MllpListener(warehouse, port=0, busy_timeout=timeout)
        async with listener:
            holder = subprocess.Popen(
                [sys.executable, "-c", HOLDER, str(warehouse), str(hold)],
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
                acks = await asyncio.to_thread(_send, listener.port, [siu("M1", "A1")])
            finally:
                holder.wait(timeout=30)
        return acks, listener.stats

    acks, stats = asyncio.run(main(hold=1.0, timeout=0.2))
    assert _msa(acks[0]) == ("AE", "M1") and stats.refused == 1
    assert "send it again" in str(acks[0]["ERR.F8"])
    acks, stats = asyncio.run(main(hold=0.3, timeout=10))
    assert _msa(acks[0]) == ("AA", "M1") and stats.landed == 1


def test_delivered_at_is_the_socket_arrival_time(tmp_path: Path) -> None:
    """Each message carries the time its frame arrived (not the time it was parsed), and the
    inbox file keeps it as its modification time."""
    warehouse = tmp_path / "warehouse.duckdb"
    inbox = tmp_path / "landing" / "hl7_siu"
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    acks, _ = _run(warehouse, [siu("M1", "APT1"), siu("M2", "APT2")], inbox=inbox)
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert [_msa(a)[0] for a in acks] == ["AA", "AA"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        events = con.execute(
            """select e.message_control_id, e.delivered_at, b.delivered_at, e.received_at
            from raw.appointment_event e join raw.landing_batches b using (batch_id)
            order by 1"""
        ).fetchall()
    assert [e[0] for e in events] == ["M1", "M2"]
    for _, delivered, batch_delivered, received in events:
        assert before <= delivered <= received <= after and delivered == batch_delivered
    assert events[0][1] < events[1][1]  # one arrival per frame
    mtime = (inbox / "mllp" / "NORTH" / "M1.hl7").stat().st_mtime
    assert dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None) == events[0][1]
