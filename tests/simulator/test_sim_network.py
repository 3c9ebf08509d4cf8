"""Master data: valid NPIs, the contract's columns and chart of accounts, realistic payers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from simulator.npi import is_valid_npi, make_npi
from simulator.truth import read_rows

HEADERS = {
    "legal_entities": "legal_entity_code,name,tax_id,currency,group_npi,bank_account",
    "facilities": "facility_code,name,npi,legal_entity_code,facility_type,region,cost_center_code",
    "cost_centers": "cost_center_code,name,legal_entity_code,facility_code,department,active",
    "gl_accounts": "account_code,name,account_type,party_required",
    "providers": "provider_npi,name,specialty,facility_code",
    "payers": "payer_id,name,payer_type,party_code",
    "payer_contracts": "payer_id,service_code,expected_reimbursement,effective_from,effective_to",
    "services": "service_code,description,charge_amount,service_line",
    "departments": "department_code,facility_code,department,name,cost_center_code",
    "locations": "location_code,facility_code,room,department,name,active",
}


def test_npi_check_digit_matches_the_cms_example() -> None:
    assert make_npi("123456789") == "1234567893"
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")


@pytest.fixture(scope="module")
def master(default_dataset: tuple) -> Path:
    return default_dataset[0] / "erp_master" / "2026-01-05"


def test_every_entity_file_has_the_contract_header(master: Path) -> None:
    assert sorted(p.stem for p in master.glob("*.csv")) == sorted(HEADERS)
    for entity, header in HEADERS.items():
        assert (master / f"{entity}.csv").read_text().splitlines()[0] == header


def test_npis_are_valid_and_unique(master: Path) -> None:
    npis = [r["npi"] for r in read_rows(master / "facilities.csv")]
    npis += [r["provider_npi"] for r in read_rows(master / "providers.csv")]
    assert all(is_valid_npi(n) for n in npis)
    assert len(set(npis)) == len(npis)


def test_network_shape(master: Path) -> None:
    facilities = read_rows(master / "facilities.csv")
    entities = {r["legal_entity_code"] for r in read_rows(master / "legal_entities.csv")}
    assert len(entities) == 2 and {f["legal_entity_code"] for f in facilities} <= entities
    for facility in facilities:
        assert facility["facility_code"].isupper() and len(facility["facility_code"]) == 3
        count = sum(p["facility_code"] == facility["facility_code"]
                    for p in read_rows(master / "providers.csv"))
        assert 2 <= count <= 4
    cost_centers = {r["cost_center_code"] for r in read_rows(master / "cost_centers.csv")}
    assert {f["cost_center_code"] for f in facilities} <= cost_centers
    accounts = [r["account_code"] for r in read_rows(master / "gl_accounts.csv")]
    assert accounts == ["1010", "1020", "1200", "1210", "1250", "1290", "2050", "2100", "2190",
                        "4000", "4100", "4200", "4300", "4400", "4500", "4600"]
    types = {r["payer_type"] for r in read_rows(master / "payers.csv")}
    assert {"medicare", "medicaid", "commercial"} <= types


def test_contracts_cover_every_billable_payer_and_service(master: Path) -> None:
    payers = [r for r in read_rows(master / "payers.csv") if r["payer_type"] != "self_pay"]
    services = {r["service_code"]: float(r["charge_amount"])
                for r in read_rows(master / "services.csv")}
    with (master / "payer_contracts.csv").open(newline="") as handle:
        contracts = {(r["payer_id"], r["service_code"]): float(r["expected_reimbursement"])
                     for r in csv.DictReader(handle)}
    assert set(contracts) == {(p["payer_id"], s) for p in payers for s in services}
    assert all(0 < amount <= services[s] for (_, s), amount in contracts.items())
