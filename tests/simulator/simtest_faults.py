"""The fault tests' network and knobs, and independent readers of the status events a fault
row points at (not the simulator's own fileformats)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zoneinfo
from pathlib import Path

from simtest_x12 import segments

from simulator import GenerationSummary, generate
from simulator.faults import FaultParams

SEED, FACILITIES, DAYS = 5, 3, 35  # HL7, FHIR and vendor CSV; crosses the January month end
START = dt.date(2026, 1, 5)
LOCAL = zoneinfo.ZoneInfo("America/New_York")  # the network's sources write local time
# high rates so that every kind occurs in a small run
HIGH = FaultParams(duplicate_file_rate=0.08, resent_835_rate=0.6, duplicate_message_rate=0.01,
                   out_of_order_rate=0.15, late_file_rate=0.6, malformed_rate=0.12,
                   unknown_facility_rate=0.004)
STATUS_FOLDERS = {"hl7_siu", "fhir", "vendor_csv", "x12_277"}


def run(out: Path, faults: FaultParams) -> GenerationSummary:
    return generate(out, facilities=FACILITIES, days=DAYS, seed=SEED, start=START,
                    faults=faults)


def local(value: dt.datetime) -> dt.datetime:
    """A naive source time as the instant it means (aware values are kept)."""
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


def mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _pairs(locator: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in locator.split(";"))


def status_event(folder: str, path: Path, locator: str) -> tuple[str, dt.datetime]:
    """(record key, event instant) of the status event a locator names in a delivered file:
    HL7 `SCH-2=..;MSH-10=..`, FHIR `id=..;versionId=..`, vendor CSV `Appt ID=..;Last
    Modified=..`, 277CA `ISA13=..;ST02=..;TRN02=..` (key: payer|claim)."""
    keys = _pairs(locator)
    if folder == "hl7_siu":
        for message in path.read_bytes().decode().split("\n"):
            fields = {s.split("|")[0]: s.split("|") for s in message.split("\r") if s}
            if fields and fields["MSH"][9] == keys["MSH-10"]:
                when = dt.datetime.strptime(fields["MSH"][6], "%Y%m%d%H%M%S")
                return fields["SCH"][2], local(when)
    elif folder == "fhir":
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            if (resource["id"], resource["meta"]["versionId"]) == (keys["id"],
                                                                   keys["versionId"]):
                return resource["id"], dt.datetime.fromisoformat(
                    resource["meta"]["lastUpdated"])
    elif folder == "vendor_csv":
        for row in csv.DictReader(io.StringIO(path.read_text())):
            if (row["Appt ID"], row["Last Modified"]) == (keys["Appt ID"],
                                                          keys["Last Modified"]):
                when = dt.datetime.strptime(row["Last Modified"], "%d-%b-%Y %H:%M:%S")
                return row["Appt ID"], local(when)
    elif folder == "x12_277":
        isa13 = st02 = payer = level = ""
        when = dt.datetime.min
        for seg in segments(path):
            isa13 = seg[13] if seg[0] == "ISA" else isa13
            st02 = seg[2] if seg[0] == "ST" else st02
            level = seg[3] if seg[0] == "HL" else level
            payer = seg[9] if seg[:2] == ["NM1", "PR"] else payer
            if seg[0] == "GS":
                when = dt.datetime.strptime(seg[4] + seg[5], "%Y%m%d%H%M")
            if (seg[0] == "TRN" and level == "PT"
                    and (isa13, st02, seg[2]) == (keys["ISA13"], keys["ST02"], keys["TRN02"])):
                return f"{payer}|{seg[2]}", local(when)
    raise AssertionError(f"{locator} not in {path}")
