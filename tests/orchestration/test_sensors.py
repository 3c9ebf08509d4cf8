"""The landing-folder and MLLP-inbox sensors, ticked with Dagster's build_sensor_context against
real folders, a real MLLP listener over loopback and a real DuckDB warehouse."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import hl7
import pytest
from hl7.client import MLLPClient
from orch_support import deliver, siu

from ingest import mllp
from ingest.pipeline import land_source
from orchestration.defs.sensors import landing_folders_sensor, mllp_inbox_sensor
from orchestration.resources import HcopsResource
from orchestration.settings import SOURCES

BAD = siu("M9", "A9").replace("20260105083000", "2026-01-05 09:00")  # MSH-7 unreadable


def _tick(
    sensor: dg.SensorDefinition, home: Path, cursor: str | None
) -> dg.SensorResult | dg.SkipReason:
    hcops = HcopsResource(home=str(home), pseudonym_key="k")
    return sensor(dg.build_sensor_context(cursor=cursor, resources={"hcops": hcops}))


def _send(home: Path, messages: Sequence[str]) -> list[str]:
    """Send messages to a real MLLP listener (inbox: the hl7_siu landing folder); the ACK
    codes."""

    def client(port: int) -> list[str]:
        with MLLPClient("127.0.0.1", port) as sender:
            acks = [sender.send_message(m).strip(b"\x0b\x1c\r").decode() for m in messages]
        return [str(hl7.parse(ack)["MSA.F1"]) for ack in acks]

    async def main() -> list[str]:
        inbox = home / "landing" / "hl7_siu"
        async with mllp.MllpListener(home / "warehouse.duckdb", port=0, inbox=inbox) as listener:
            return await asyncio.to_thread(client, listener.port)

    return asyncio.run(main())


def test_landing_folders_requests_a_run_only_when_files_change(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    deliver(landing / "x12_835", "a.x12", "ISA*...", dt.datetime(2026, 3, 2))
    first = _tick(landing_folders_sensor, tmp_path, None)
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    assert first.run_requests[0].tags["hcops/sources"] == ",".join(SOURCES)  # all unseen
    second = _tick(landing_folders_sensor, tmp_path, first.cursor)
    assert isinstance(second, dg.SensorResult) and second.run_requests == []
    # a file that arrives with an old modification time is a change all the same
    deliver(landing / "x12_835", "b.x12", "ISA*...", dt.datetime(2026, 1, 1))
    third = _tick(landing_folders_sensor, tmp_path, first.cursor)
    assert isinstance(third, dg.SensorResult)
    assert [r.tags["hcops/sources"] for r in third.run_requests] == ["x12_835"]
    # the MLLP inbox is the mllp_inbox sensor's: its messages are landed already
    deliver(landing / "hl7_siu" / "mllp" / "NORTH", "M1.hl7", siu("M1", "A1"), dt.datetime.now())
    fourth = _tick(landing_folders_sensor, tmp_path, third.cursor)
    assert isinstance(fourth, dg.SensorResult) and fourth.run_requests == []


def test_mllp_inbox_runs_downstream_once_per_new_message(tmp_path: Path) -> None:
    assert isinstance(_tick(mllp_inbox_sensor, tmp_path, None), dg.SkipReason)  # no warehouse

    assert _send(tmp_path, [siu("M1", "A1"), siu("M2", "A2")]) == ["AA", "AA"]
    first = _tick(mllp_inbox_sensor, tmp_path, None)
    assert isinstance(first, dg.SensorResult)
    [request] = first.run_requests
    assert request.tags["hcops/messages"] == "2"
    assert request.tags["hcops/records_landed"] == "2"
    assert isinstance(_tick(mllp_inbox_sensor, tmp_path, first.cursor), dg.SkipReason)

    # a re-delivery (landed once, acknowledged again) and a dead letter: nothing new downstream
    assert _send(tmp_path, [siu("M2", "A2"), BAD]) == ["AA", "AE"]
    quiet = _tick(mllp_inbox_sensor, tmp_path, first.cursor)
    assert isinstance(quiet, dg.SensorResult) and quiet.run_requests == []
    assert quiet.cursor != first.cursor  # moved past them: never looked at again

    # files landed by the folder sweep are not the listener's
    deliver(tmp_path / "landing" / "hl7_siu", "file.hl7", siu("F1", "B1"), dt.datetime(2026, 3, 2))
    land_source(tmp_path / "warehouse.duckdb", "hl7_siu", tmp_path / "landing" / "hl7_siu")
    swept = _tick(mllp_inbox_sensor, tmp_path, quiet.cursor)
    assert isinstance(swept, dg.SkipReason)

    assert _send(tmp_path, [siu("M3", "A3")]) == ["AA"]
    third = _tick(mllp_inbox_sensor, tmp_path, quiet.cursor)
    assert isinstance(third, dg.SensorResult)
    [again] = third.run_requests
    assert again.tags["hcops/messages"] == "1"
    assert again.run_key != request.run_key


def test_mllp_inbox_skips_a_tick_while_the_warehouse_is_busy(tmp_path: Path) -> None:
    assert _send(tmp_path, [siu("M1", "A1")]) == ["AA"]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(30)",
            str(tmp_path / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        busy = _tick(mllp_inbox_sensor, tmp_path, None)
    finally:
        holder.kill()
        holder.wait()
    assert isinstance(busy, dg.SkipReason) and "busy" in (busy.skip_message or "")
    after = _tick(mllp_inbox_sensor, tmp_path, None)  # the cursor did not move: not lost
    assert isinstance(after, dg.SensorResult) and len(after.run_requests) == 1


@pytest.mark.parametrize("sensor", [landing_folders_sensor, mllp_inbox_sensor])
def test_sensors_are_off_until_turned_on(sensor: dg.SensorDefinition) -> None:
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
