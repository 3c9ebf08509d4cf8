"""Helpers of the orchestration tests: small real HL7 v2 SIU files delivered on chosen days."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

SIU_S12 = (
    "MSH|^~\\&|SCHED|NORTH^1.2.3^ISO|HCOPS|HCOPS|20260105083000||SIU^S12^SIU_S12|{id}|P|2.5.1\r"
    "SCH|PL100^SCHED|{apt}^SCHED|||||ROUTINE^Routine visit||||||||||||||||||Booked\r"
    "TQ1|1||||||20260112090000|20260112093000\r"
    "PID|1||MRN001^^^NORTH^MR||DOE^JANE\r"
    "PV1|1|O|CLINIC^^^NORTH01||||||||||||||||V1001\r"
    "AIS|1|A|99213^Office visit^CPT\r"
    "AIL|1|A|CARDIO^^^NORTH01\r"
    "AIP|1|A|2222222222^SMITH^JOHN\r"
)


def siu(control_id: str, appointment: str) -> str:
    """One SIU^S12 message (booking) with its own MSH-10 and appointment id."""
    return SIU_S12.format(id=control_id, apt=appointment)


def deliver(folder: Path, name: str, text: str, at: dt.datetime) -> Path:
    """Write a file whose modification time is its delivery time (`at`, naive UTC)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = at.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


Runner = Callable[..., dg.ExecuteInProcessResult]
