"""Scheduling truth: capacity, KPIs recomputed independently, master-data changes over the
daily extracts, credentialing, and the skeleton knobs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

from simulator.network import build_network
from simulator.scheduling import SchedulingParams, schedule
from simulator.truth import read_rows


@pytest.fixture(scope="module")
def out(clean_dataset: Path) -> Path:
    return clean_dataset


@pytest.fixture(scope="module")
def templates(out: Path) -> list[dict[str, str]]:
    return [r for p in sorted((out / "schedule_templates").rglob("*.csv")) for r in read_rows(p)]


def test_template_minutes_cover_the_booked_minutes_per_provider_day(
        out: Path, templates: list) -> None:
    available: dict[tuple[str, str], int] = defaultdict(int)
    for row in templates:
        assert int(row["available_minutes"]) > 0 and row["start"] < row["end"]
        available[(row["provider_npi"], row["date"])] += int(row["available_minutes"])
    booked: dict[tuple[str, str], int] = defaultdict(int)
    for row in read_rows(out / "truth" / "appointments.csv"):
        if row["final_status"] != "cancelled":
            booked[(row["provider_npi"], row["service_start"][:10])] += int(
                row["duration_minutes"])
    assert booked
    for key, minutes in booked.items():
        assert available[key] >= minutes, key  # no overbooking


def test_scheduling_kpis_match_an_independent_recomputation(out: Path, templates: list) -> None:
    kpis = json.loads((out / "truth" / "kpis.json").read_text())
    appointments = read_rows(out / "truth" / "appointments.csv")

    def expected(rows: list[dict[str, str]], slots: list[dict[str, str]]) -> dict[str, float]:
        outcome = [r["final_status"] for r in rows]
        attended = outcome.count("completed") + outcome.count("no_show")
        booked = sum(int(r["duration_minutes"]) for r in rows
                     if r["final_status"] in ("completed", "no_show"))
        available = sum(int(s["available_minutes"]) for s in slots)
        return {"no_show_rate": outcome.count("no_show") / attended,
                "no_show_rate_denominator": attended,
                "cancellation_rate": outcome.count("cancelled") / len(rows),
                "cancellation_rate_numerator": outcome.count("cancelled"),
                "schedule_occupancy": booked / available,
                "schedule_occupancy_numerator": booked,
                "schedule_occupancy_denominator": available}

    def check(actual: dict, rows: list, slots: list) -> None:
        for key, value in expected(rows, slots).items():
            assert actual[key] == pytest.approx(value), key

    check(kpis, appointments, templates)
    for code in {r["facility_code"] for r in appointments}:
        check(kpis["by_facility"][code], [r for r in appointments if r["facility_code"] == code],
              [t for t in templates if t["facility_code"] == code])
    months = {r["service_start"][:7] for r in appointments}
    assert set(kpis["by_month"]) == months
    for month in months:
        check(kpis["by_month"][month], [r for r in appointments
                                        if r["service_start"][:7] == month],
              [t for t in templates if t["date"][:7] == month])
    assert 0.07 <= kpis["no_show_rate"] <= 0.13
    assert 0.07 <= kpis["cancellation_rate"] <= 0.13
    assert 0.6 <= kpis["schedule_occupancy"] <= 0.9
    assert kpis["claims"] > 0  # the claims KPIs stay in the same file


def test_every_channel_and_kind_is_in_the_default_network(out: Path) -> None:
    rows = read_rows(out / "truth" / "appointments.csv")
    assert {r["channel"] for r in rows} == {"hl7", "fhir", "csv"}
    assert any(r["rescheduled"] == "true" for r in rows)
    facilities = read_rows(out / "erp_master" / "2026-01-05" / "facilities.csv")
    assert "hospital_outpatient" in {f["facility_type"] for f in facilities}


def _extracts(out: Path) -> list[Path]:
    return sorted(p for p in (out / "erp_master").iterdir() if p.is_dir())


def test_master_data_is_extracted_daily(out: Path) -> None:
    days = [dt.date.fromisoformat(p.name) for p in _extracts(out)]
    assert days == [dt.date(2026, 1, 5) + dt.timedelta(days=n) for n in range(120)]


def test_master_data_changes_surface_in_the_extracts_and_the_truth(out: Path) -> None:
    exceptions = {r["exception_kind"]: r
                  for r in read_rows(out / "truth" / "master_data_exceptions.csv")}
    assert set(exceptions) == {"cost_center_retired", "provider_added_late",
                               "contract_rate_change", "unmapped_location"}
    retired = exceptions["cost_center_retired"]
    provider = exceptions["provider_added_late"]
    for extract in _extracts(out):
        cost_centers = {r["cost_center_code"] for r in read_rows(extract / "cost_centers.csv")}
        assert (retired["key"] in cost_centers) == (extract.name < retired["effective_date"])
        npis = {r["provider_npi"] for r in read_rows(extract / "providers.csv")}
        assert (provider["key"] in npis) == (extract.name >= provider["effective_date"])
        locations = {r["location_code"] for r in read_rows(extract / "locations.csv")}
        assert exceptions["unmapped_location"]["key"] not in locations
    appointments = read_rows(out / "truth" / "appointments.csv")
    late = [a for a in appointments if a["provider_npi"] == provider["key"]]
    assert late and min(a["service_start"][:10] for a in late) < provider["effective_date"]
    assert any(a["location_code"] == exceptions["unmapped_location"]["key"]
               for a in appointments)
    last = _extracts(out)[-1]
    contracts = read_rows(last / "payer_contracts.csv")
    payer, service = exceptions["contract_rate_change"]["key"].split("|")
    rows = [c for c in contracts if (c["payer_id"], c["service_code"]) == (payer, service)]
    assert [r["effective_from"] for r in rows] == [
        "2025-01-01", exceptions["contract_rate_change"]["effective_date"]]


def test_credentialing_per_payer() -> None:
    start = dt.date(2026, 1, 5)
    network = build_network(3, 7, start=start, days=120)
    late = next(p for p in network.providers if p.start_date is not None)
    assert network.is_credentialed(late.npi, "MCRB1", late.start_date)
    assert not network.is_credentialed(late.npi, "MCRB1", late.start_date - dt.timedelta(1))
    assert not network.is_credentialed(late.npi, "BCHP1", late.start_date)
    assert network.is_credentialed(late.npi, "SELF", start)
    veteran = network.providers[0]
    assert network.is_credentialed(veteran.npi, "MCRB1", start)


def test_credential_screening_keeps_unenrolled_bookings_out() -> None:
    """The front desk gives the slot to a patient of a plan the provider may bill when it
    notices the gap (`credential_screening`): 1 leaves no appointment of a provider not
    enrolled with its patient's payer on the day, 0 leaves many, the default a few (they are
    the CO-B7 denials)."""
    start = dt.date(2026, 1, 5)
    network = build_network(3, 9, start=start, days=90)

    def unenrolled(screening: float) -> int:
        params = dataclasses.replace(SchedulingParams(), credential_screening=screening)
        return sum(not network.is_credentialed(a.provider_npi, a.patient.payer_id,
                                               a.slot.start.date())
                   for a in schedule(network, start, 90, 9, params))

    counts = {screening: unenrolled(screening) for screening in (0.0, 0.8, 1.0)}
    assert counts[1.0] == 0
    assert counts[0.0] > 3 * counts[0.8] > 0
    assert SchedulingParams().credential_screening == 0.8


def test_skeleton_is_pure_hl7_with_one_master_extract(skeleton_dataset: Path) -> None:
    tmp_path = skeleton_dataset
    assert not (tmp_path / "fhir").exists() and not (tmp_path / "vendor_csv").exists()
    assert [p.name for p in _extracts(tmp_path)] == ["2026-01-05"]
    rows = read_rows(tmp_path / "truth" / "appointments.csv")
    assert {r["channel"] for r in rows} == {"hl7"}
    assert read_rows(tmp_path / "truth" / "master_data_exceptions.csv") == []
    sius = {p.name.split("_")[1] for p in (tmp_path / "hl7_siu").glob("*.hl7")}
    assert sius == {"NHO", "RVC", "LKU"}


def test_network_scale_has_twenty_facilities_of_every_kind() -> None:
    network = build_network(20, 7)
    kinds = {f.facility_type for f in network.facilities}
    assert {"hospital_outpatient", "ambulatory_clinic", "specialty_practice"} <= kinds
    systems = [f.scheduling_system for f in network.facilities]
    assert systems.count("csv") == 1 and systems.count("fhir") >= 3
    assert len({f.region for f in network.facilities}) >= 3
