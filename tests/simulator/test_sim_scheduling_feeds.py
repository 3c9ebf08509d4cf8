"""Scheduling feeds: every FHIR resource validates (fhir.resources R4B, decision 0008), every
SIU message parses with python-hl7, the vendor CSV parses with pandas using the documented
layout; the truth's appointments are exactly the feeds' appointments, channel by channel, with
the final status of each one's last event."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import hl7
import pandas as pd
import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from simulator.truth import read_rows

RESOURCES = {"Appointment": Appointment, "Slot": Slot, "Schedule": Schedule}
FHIR_FINAL = {"fulfilled": "completed", "arrived": "completed", "noshow": "no_show",
              "cancelled": "cancelled", "booked": "booked"}
CSV_FINAL = {"CHECKED OUT": "completed", "CHECKED IN": "completed", "NO SHOW": "no_show",
             "CANCELLED": "cancelled", "SCHEDULED": "booked", "RESCHEDULED": "booked"}
HL7_FINAL = {"S14": "completed", "S15": "cancelled", "S26": "no_show"}
# the documented vendor CSV layout (docs/contracts.md): column -> canonical field
VENDOR_LAYOUT = {"Appt ID": "appointment_id", "Account No": "visit_number",
                 "Provider NPI": "provider_npi", "Appt Date": "service_date",
                 "Appt Time": "service_time", "Length": "duration_minutes", "Status": "status",
                 "Booked": "booked_at", "Last Modified": "event_time"}


@pytest.fixture(scope="module")
def out(clean_dataset: Path) -> Path:
    return clean_dataset


@pytest.fixture(scope="module")
def truth(out: Path) -> dict[str, dict[str, str]]:
    return {r["appointment_id"]: r for r in read_rows(out / "truth" / "appointments.csv")}


def _fhir_lines(out: Path, kind: str) -> list[tuple[Path, dict]]:
    return [(path, json.loads(line)) for path in sorted((out / "fhir").rglob(f"{kind}.ndjson"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_fhir_resource_validates_as_r4(out: Path) -> None:
    count = 0
    for kind, model in RESOURCES.items():
        lines = _fhir_lines(out, kind)
        assert lines, kind
        for _, resource in lines:
            assert resource["resourceType"] == kind
            model.model_validate(resource)
            count += 1
    assert count > 1000


def test_fhir_appointments_carry_the_visit_number_and_booking_time(out: Path,
                                                                   truth: dict) -> None:
    for _, resource in _fhir_lines(out, "Appointment"):
        row = truth[resource["id"]]
        identifiers = {i["system"]: i["value"] for i in resource["identifier"]}
        assert identifiers["urn:hcops:visit"] == row["visit_number"]
        assert resource["created"][:19] == row["booked_at"]
        npi = next(p["actor"]["identifier"]["value"] for p in resource["participant"]
                   if p["actor"]["reference"].startswith("Practitioner/"))
        assert npi == row["provider_npi"]
        if resource["status"] == "cancelled":
            assert resource["cancelationReason"]["coding"][0]["code"]


def test_fhir_slots_add_up_to_the_template_minutes(out: Path) -> None:
    def minutes(resource: dict) -> int:
        start, end = (pd.Timestamp(resource[k]) for k in ("start", "end"))
        return int((end - start).total_seconds() // 60)

    slot_minutes: dict[tuple[str, str], int] = defaultdict(int)
    for path, slot in _fhir_lines(out, "Slot"):
        slot_minutes[(path.parent.parent.name, path.parent.name)] += minutes(slot)
    templates = pd.concat(pd.read_csv(p, dtype=str)
                          for p in sorted((out / "schedule_templates").rglob("*.csv")))
    templates["available_minutes"] = templates["available_minutes"].astype(int)
    expected = templates.groupby(["facility_code", "date"])["available_minutes"].sum()
    assert slot_minutes
    for key, total in slot_minutes.items():
        assert expected[key] == total, key


def _hl7_last(out: Path) -> dict[str, tuple[str, str]]:
    last: dict[str, tuple[str, str]] = {}
    for path in sorted((out / "hl7_siu").glob("*.hl7")):
        for text in path.read_bytes().decode("utf-8").split("\n"):
            if text.strip():
                message = hl7.parse(text)
                trigger = str(message.segment("MSH")[9][0][1])
                last[str(message.segment("SCH")[2])] = (trigger,
                                                         str(message.segment("PV1")[19]))
    return last


def _vendor_frame(out: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False)
              for p in sorted((out / "vendor_csv").rglob("*.csv"))]
    frame = pd.concat(frames, ignore_index=True).rename(columns=VENDOR_LAYOUT)
    frame["event_time"] = pd.to_datetime(frame["event_time"], format="%d-%b-%Y %H:%M:%S")
    frame["booked_at"] = pd.to_datetime(frame["booked_at"], format="%m/%d/%Y %H:%M:%S")
    frame["service_start"] = pd.to_datetime(frame["service_date"] + " " + frame["service_time"],
                                            format="%m/%d/%Y %I:%M %p")
    return frame


def test_vendor_csv_parses_with_the_documented_layout(out: Path, truth: dict) -> None:
    frame = _vendor_frame(out)
    assert set(frame["status"]) <= set(CSV_FINAL)
    assert frame["event_time"].is_monotonic_increasing or len(frame) > 0
    for row in frame.drop_duplicates("appointment_id", keep="last").itertuples():
        expected = truth[row.appointment_id]
        assert row.visit_number == expected["visit_number"]
        assert row.booked_at.isoformat() == expected["booked_at"]


def test_truth_appointments_are_the_feed_appointments_by_channel(out: Path,
                                                                 truth: dict) -> None:
    seen: dict[str, dict[str, str]] = {"hl7": {}, "fhir": {}, "csv": {}}
    for appointment_id, (trigger, visit) in _hl7_last(out).items():
        seen["hl7"][appointment_id] = HL7_FINAL[trigger]
        assert visit == truth[appointment_id]["visit_number"]
    latest: dict[str, tuple[str, str]] = {}
    for _, resource in _fhir_lines(out, "Appointment"):
        stamp = resource["meta"]["lastUpdated"]
        if resource["id"] not in latest or stamp > latest[resource["id"]][0]:
            latest[resource["id"]] = (stamp, resource["status"])
    seen["fhir"] = {k: FHIR_FINAL[s] for k, (_, s) in latest.items()}
    frame = _vendor_frame(out).sort_values("event_time", kind="stable")
    for row in frame.drop_duplicates("appointment_id", keep="last").itertuples():
        seen["csv"][row.appointment_id] = CSV_FINAL[row.status]
    for channel, found in seen.items():
        expected = {k: r["final_status"] for k, r in truth.items() if r["channel"] == channel}
        assert found, channel
        assert found == expected, channel
