"""Canonical inputs added by decision 0028, against the simulator's truth on the shared default
network (tests/dbt/dbt_network.py: 2 facilities x 60 days, faults on, seed 23):

- the claim status exchange (276 / 277, 005010X212): int_claim_status_inquiries holds every
  inquiry of truth/claim_status_inquiries.csv with the payer's answer, field by field;
- FHIR Slots: the capacity a FHIR-feed facility publishes tiles its provider templates, so
  the Slot minutes in kpi_schedule_occupancy_daily equal the truth's available template
  minutes of that facility, per month.

Everything is compared exactly: counts, dates, codes and amounts.
"""

from __future__ import annotations

import collections
import csv
import hashlib
from typing import Any

import duckdb
import pytest
from dbt_network import PSEUDONYM_KEY, Network


def _rows(network: Network, sql: str) -> list[tuple[Any, ...]]:
    """Not read-only: dbt-duckdb keeps a read-write connection open in this process."""
    with duckdb.connect(str(network.warehouse)) as con:
        return con.execute(sql).fetchall()


def _pseudonym(value: str) -> str:
    """macros/cross_db.sql pseudonymize: md5(key || value)."""
    return hashlib.md5((PSEUDONYM_KEY + value).encode()).hexdigest()


def _text(value: Any) -> str:
    """A warehouse value as the truth CSV writes it (amounts with 2 decimals, '' for null)."""
    if value is None:
        return ""
    return str(value)


@pytest.fixture(scope="module")
def truth_inquiries(default_network: Network) -> list[dict[str, str]]:
    with (default_network.truth_dir / "claim_status_inquiries.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def inquiries(default_network: Network) -> dict[tuple[str, str], dict[str, str]]:
    """int_claim_status_inquiries by (payer, trace), in the truth's vocabulary."""
    columns = {
        "claim_id": "claim_key",
        "payer_responsibility": "payer_responsibility",
        "inquiry_date": "inquiry_date",
        "charge_amount": "inquiry_charge_amount",
        "response_date": "response_date",
        "category_code": "category_code",
        "status_code": "status_code",
        "status_date": "status_date",
        "paid_amount": "paid_amount",
        "adjudication_date": "adjudication_date",
        "payment_date": "payment_date",
        "remittance_trace": "check_number",
    }
    rows = _rows(
        default_network,
        f"select payer_id, trace_number, {', '.join(columns.values())} "
        "from intermediate.int_claim_status_inquiries",
    )
    return {
        (row[0], row[1]): {name: _text(value) for name, value in zip(columns, row[2:], strict=True)}
        for row in rows
    }


def test_every_inquiry_with_the_payers_answer(
    truth_inquiries: list[dict[str, str]], inquiries: dict[tuple[str, str], dict[str, str]]
) -> None:
    assert len(truth_inquiries) > 100  # the follow-up runs in the default network
    assert len(inquiries) == len(truth_inquiries)
    for expected in truth_inquiries:
        got = inquiries[(expected["payer_id"], expected["trace_number"])]
        wanted = {name: expected[name] for name in got}
        wanted["claim_id"] = _pseudonym(expected["claim_id"])
        assert got == wanted, expected["trace_number"]


def test_answer_counts_by_category(
    default_network: Network, truth_inquiries: list[dict[str, str]]
) -> None:
    """Answered / unanswered (the 277 comes after the window) and every category's count."""
    expected = collections.Counter(row["category_code"] or None for row in truth_inquiries)
    got = dict(
        _rows(
            default_network,
            "select category_code, count(*) from intermediate.int_claim_status_inquiries "
            "group by category_code",
        )
    )
    assert got == dict(expected)
    assert expected[None] > 0 and len(expected) >= 4  # unanswered, F*, P*, R* all present
    groups = dict(
        _rows(
            default_network,
            "select category_group, count(*) from intermediate.int_claim_status_inquiries "
            "where is_answered group by category_group",
        )
    )
    finalized = sum(n for code, n in expected.items() if code and code.startswith("F"))
    assert groups["finalized"] == finalized


def test_answers_reach_their_claims_and_payments(default_network: Network) -> None:
    """Every inquiry names a canonical claim; a paid answer's check / EFT number is the trace of
    an 835 payment of that payer."""
    (inquiries, unknown_claims, paid, unmatched_checks) = _rows(
        default_network,
        """select count(*)
               , count(*) filter (where claim_identity_key not in (
                     select claim_identity_key from intermediate.int_claims_assembled))
               , count(check_number)
               , count(check_number) filter (where not exists (
                     select 1 from staging.stg_x12_835__remittance_payments as payments
                     where payments.trace_number = inquiries.check_number
                         and payments.payer_id = inquiries.payer_id))
           from intermediate.int_claim_status_inquiries as inquiries""",
    )[0]
    assert inquiries > 100 and paid > 10
    assert unknown_claims == 0
    assert unmatched_checks == 0


def test_fhir_slots_publish_the_template_capacity(default_network: Network) -> None:
    """The Slots of a FHIR-feed facility tile its template sessions (decision 0028): their
    minutes equal the truth's available minutes of that facility, and per month with the other
    facilities' templates; the templates stay the denominator, so no row here takes its
    capacity from the Slots."""
    with (default_network.truth_dir / "appointments.csv").open(newline="") as handle:
        fhir_facilities = {
            r["facility_code"] for r in csv.DictReader(handle) if r["channel"] == "fhir"
        }
    truth = default_network.truth_kpis()
    assert fhir_facilities and set(truth["by_facility"]) - fhir_facilities
    rows = _rows(
        default_network,
        """select facility_code, strftime(kpi_date, '%Y-%m'), sum(fhir_slot_minutes)
               , sum(fhir_booked_slot_minutes), sum(template_minutes)
               , count(*) filter (where capacity_source = 'fhir_slots')
           from marts.kpi_schedule_occupancy_daily where is_facility_mapped group by all""",
    )
    for facility in fhir_facilities:
        slot_minutes = sum(r[2] for r in rows if r[0] == facility)
        assert slot_minutes == truth["by_facility"][facility]["schedule_occupancy_denominator"] > 0
        assert 0 < sum(r[3] for r in rows if r[0] == facility) < slot_minutes
    assert sum(r[2] for r in rows if r[0] not in fhir_facilities) == 0
    for month, expected in truth["by_month"].items():
        published = sum(r[2] if r[0] in fhir_facilities else r[4] for r in rows if r[1] == month)
        assert published == expected["schedule_occupancy_denominator"], month
    assert sum(r[5] for r in rows) == 0
