"""Test data: a small master-data extract (contracts.md) and journal feed rows."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from simulator.writers.erp_master import GL_ACCOUNTS as SIMULATED_GL_ACCOUNTS

# the chart of accounts of docs/contracts.md, as the simulated ERP extract carries it
GL_ACCOUNTS = list(SIMULATED_GL_ACCOUNTS)

MASTER: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {
    "legal_entities.csv": (
        ["legal_entity_code", "name", "tax_id", "currency"],
        [("LE01", "North Health Inc", "11-1111111", "USD"),
         ("LE02", "South Clinics LLC", "22-2222222", "USD")]),
    "facilities.csv": (
        ["facility_code", "name", "npi", "legal_entity_code", "facility_type", "region",
         "cost_center_code"],
        [("FAC01", "North Hospital", "1111111111", "LE01", "hospital", "north", "CC01"),
         ("FAC02", "North Clinic", "2222222222", "LE01", "clinic", "north", "CC02"),
         ("FAC03", "South Clinic", "3333333333", "LE02", "clinic", "south", "CC03")]),
    "cost_centers.csv": (
        ["cost_center_code", "name", "legal_entity_code", "facility_code", "department",
         "active"],
        [("CC01", "North Hospital ops", "LE01", "FAC01", "operations", "true"),
         ("CC02", "North Clinic ops", "LE01", "FAC02", "operations", "true"),
         ("CC03", "South Clinic ops", "LE02", "FAC03", "operations", "true")]),
    "gl_accounts.csv": (
        ["account_code", "name", "account_type", "party_required"], GL_ACCOUNTS),
    "providers.csv": (
        ["provider_npi", "name", "specialty", "facility_code"],
        [("9999999991", "Dr A", "family", "FAC01")]),
    "payers.csv": (
        ["payer_id", "name", "payer_type", "party_code"],
        [("00430", "Medicare", "medicare", "PAY-MCR"),
         ("60054", "Aetna", "commercial", "PAY-AET"),
         ("87726", "UHC", "commercial", "PAY-UHC")]),
    "payer_contracts.csv": (
        ["payer_id", "service_code", "expected_reimbursement", "effective_from",
         "effective_to"],
        [("00430", "99213", "90.00", "2024-01-01", "")]),
    "services.csv": (
        ["service_code", "description", "charge_amount", "service_line"],
        [("99213", "Office visit", "150.00", "primary_care")]),
}


def write_master(landing: Path, date: str = "2025-01-01") -> Path:
    folder = landing / "erp_master" / date
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in MASTER.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def feed_line(n: int, event: str, date: str, entity: str, facility: str, account: str,
              debit: str = "0", credit: str = "0", party: str | None = None,
              cost_center: str | None = None) -> dict[str, Any]:
    return {
        "feed_line_key": f"fl{n}", "event_type": event, "journal_date": date,
        "legal_entity_code": entity, "facility_code": facility, "account_code": account,
        "party_code": party, "cost_center_code": cost_center,
        "debit": Decimal(debit), "credit": Decimal(credit), "source_event_key": f"ev{n}",
    }


def service_rendered(n: int, date: str, entity: str, facility: str, cc: str, payer: str,
                     charge: str, allowance: str) -> list[dict[str, Any]]:
    """Dr 1200 (payer) / Cr 4000 charge; Dr 4100 / Cr 1290 estimated allowance."""
    e = "service_rendered"
    return [
        feed_line(n * 10 + 1, e, date, entity, facility, "1200", debit=charge, party=payer),
        feed_line(n * 10 + 2, e, date, entity, facility, "4000", credit=charge,
                  cost_center=cc),
        feed_line(n * 10 + 3, e, date, entity, facility, "4100", debit=allowance,
                  cost_center=cc),
        feed_line(n * 10 + 4, e, date, entity, facility, "1290", credit=allowance),
    ]


def remittance(n: int, date: str, entity: str, facility: str, cc: str, payer: str,
               paid: str, contractual: str, true_up: str, patient: str
               ) -> list[dict[str, Any]]:
    """Dr 1010 / Cr 1200 paid; Dr 1290 / Cr 1200 contractual; true-up Dr 4100 / Cr 1290
    (sides swap when negative); Dr 1210 PATIENTS / Cr 1200 patient responsibility."""
    e = "remittance"
    lines = [
        feed_line(n * 10 + 1, e, date, entity, facility, "1010", debit=paid),
        feed_line(n * 10 + 2, e, date, entity, facility, "1200", credit=paid, party=payer),
        feed_line(n * 10 + 3, e, date, entity, facility, "1290", debit=contractual),
        feed_line(n * 10 + 4, e, date, entity, facility, "1200", credit=contractual,
                  party=payer),
        feed_line(n * 10 + 7, e, date, entity, facility, "1210", debit=patient,
                  party="PATIENTS"),
        feed_line(n * 10 + 8, e, date, entity, facility, "1200", credit=patient, party=payer),
    ]
    amount = Decimal(true_up)
    if amount > 0:
        lines += [
            feed_line(n * 10 + 5, e, date, entity, facility, "4100", debit=str(amount),
                      cost_center=cc),
            feed_line(n * 10 + 6, e, date, entity, facility, "1290", credit=str(amount))]
    elif amount < 0:
        lines += [
            feed_line(n * 10 + 5, e, date, entity, facility, "4100", credit=str(-amount),
                      cost_center=cc),
            feed_line(n * 10 + 6, e, date, entity, facility, "1290", debit=str(-amount))]
    return lines


def sample_feed() -> list[dict[str, Any]]:
    """Two entities, three facilities, two months, both event types."""
    rows: list[dict[str, Any]] = []
    rows += service_rendered(1, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-MCR",
                             "150.00", "60.00")
    rows += service_rendered(2, "2025-01-06", "LE01", "FAC01", "CC01", "PAY-AET",
                             "250.00", "75.50")
    rows += service_rendered(3, "2025-01-07", "LE01", "FAC02", "CC02", "PAY-UHC",
                             "99.99", "19.99")
    rows += service_rendered(4, "2025-01-31", "LE02", "FAC03", "CC03", "PAY-MCR",
                             "300.00", "120.00")
    rows += remittance(5, "2025-02-03", "LE01", "FAC01", "CC01", "PAY-MCR",
                       "72.00", "62.00", "2.00", "16.00")
    rows += remittance(6, "2025-02-03", "LE01", "FAC01", "CC01", "PAY-AET",
                       "150.00", "70.00", "-5.50", "30.00")
    rows += remittance(7, "2025-02-10", "LE02", "FAC03", "CC03", "PAY-MCR",
                       "160.00", "120.00", "0", "20.00")
    return rows
