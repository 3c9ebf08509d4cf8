"""The star's dimensions (marts/core) against the ERP master-data extracts the network delivered,
read here with the csv module: every key of the latest extract that lists it, with its latest
attributes; and every code a fact or KPI mart carries resolves to a dimension row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from dbt_network import Network


def _latest_rows(landing: Path, entity: str, key: str) -> dict[str, dict[str, str]]:
    """Each key's row in the last extract (by extract date) that lists it."""
    latest: dict[str, dict[str, str]] = {}
    for extract in sorted((landing / "erp_master").iterdir()):
        path = extract / f"{entity}.csv"
        if path.is_file():
            with path.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    latest[row[key]] = row
    return latest


@pytest.mark.parametrize(
    ("dimension", "entity", "key", "columns"),
    [
        ("dim_facilities", "facilities", "facility_code",
         {"facility_name": "name", "npi": "npi", "legal_entity_code": "legal_entity_code",
          "region": "region", "cost_center_code": "cost_center_code"}),
        ("dim_payers", "payers", "payer_id",
         {"payer_name": "name", "payer_type": "payer_type", "party_code": "party_code"}),
        ("dim_providers", "providers", "provider_npi",
         {"provider_name": "name", "specialty": "specialty", "facility_code": "facility_code"}),
    ],
)
def test_dimension_rows_are_the_latest_master_data(
    default_network: Network, dimension: str, entity: str, key: str, columns: dict[str, str]
) -> None:
    expected = {
        code: tuple(row[source] for source in columns.values())
        for code, row in _latest_rows(default_network.landing, entity, key).items()
    }
    got = {
        row[0]: tuple(row[1:])
        for row in default_network.rows(
            f"select {key}, {', '.join(columns)} from marts.{dimension}"
        )
    }
    assert len(expected) > 1
    assert got == expected


def test_service_lines_count_the_catalog(default_network: Network) -> None:
    services = _latest_rows(default_network.landing, "services", "service_code")
    expected: dict[str, int] = {}
    for row in services.values():
        expected[row["service_line"]] = expected.get(row["service_line"], 0) + 1
    got = dict(default_network.rows("select service_line, services from marts.dim_service_lines"))
    assert got == expected


def _unknown_facility_faults(network: Network) -> int:
    """Scheduling messages the simulator sent from a facility the ERP does not know: they land
    (an exception for a person, not a dead letter) and keep their code."""
    with (network.truth_dir / "faults.csv").open(newline="") as handle:
        return sum(row["kind"] == "unknown_facility" for row in csv.DictReader(handle))


@pytest.mark.parametrize(
    ("fact", "column", "dimension"),
    [
        ("fct_claims", "facility_code", "dim_facilities"),
        ("fct_claims", "payer_id", "dim_payers"),
        ("fct_claims", "service_line", "dim_service_lines"),
        ("fct_appointments", "facility_code", "dim_facilities"),
        ("fct_appointments", "provider_npi", "dim_providers"),
    ],
)
def test_fact_codes_resolve_to_a_dimension(
    default_network: Network, fact: str, column: str, dimension: str
) -> None:
    [(facts, unresolved)] = default_network.rows(
        f"""select count(*), count(*) filter (where {column} is not null and {column} not in
                (select {column} from marts.{dimension}))
            from marts.{fact}"""
    )
    assert facts > 100
    unknown = _unknown_facility_faults(default_network)
    expected = unknown if (fact, column) == ("fct_appointments", "facility_code") else 0
    assert unresolved == expected
