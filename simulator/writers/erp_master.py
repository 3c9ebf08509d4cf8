"""ERP master-data extract: one CSV per entity (docs/contracts.md), dated the window start."""

from __future__ import annotations

import csv
import datetime as dt
import io

from simulator.model import Simulation
from simulator.network import Network

CONTRACTS_EFFECTIVE_FROM = "2025-01-01"

GL_ACCOUNTS = (
    ("1010", "Cash clearing", "cash", "false"),
    ("1020", "Cash - operating", "cash", "false"),
    ("1200", "Accounts receivable - payers", "receivable", "true"),
    ("1210", "Accounts receivable - patients", "receivable", "true"),
    ("1290", "Allowance for contractual adjustments", "contra_receivable", "false"),
    ("4000", "Gross patient service revenue", "revenue", "false"),
    ("4100", "Contractual allowances", "contra_revenue", "false"),
    ("4200", "Denial write-offs", "contra_revenue", "false"),
    ("4300", "Interest income", "other_income", "false"),
)

HEADERS = {
    "legal_entities": ("legal_entity_code", "name", "tax_id", "currency"),
    "facilities": ("facility_code", "name", "npi", "legal_entity_code", "facility_type",
                   "region", "cost_center_code"),
    "cost_centers": ("cost_center_code", "name", "legal_entity_code", "facility_code",
                     "department", "active"),
    "gl_accounts": ("account_code", "name", "account_type", "party_required"),
    "providers": ("provider_npi", "name", "specialty", "facility_code"),
    "payers": ("payer_id", "name", "payer_type", "party_code"),
    "payer_contracts": ("payer_id", "service_code", "expected_reimbursement", "effective_from",
                        "effective_to"),
    "services": ("service_code", "description", "charge_amount", "service_line"),
}


def _cost_centers(network: Network) -> list[tuple[str, ...]]:
    """The facility's cost center (facilities.cost_center_code) and an ancillary-services
    department cost center per facility."""
    rows = []
    for f in network.facilities:
        rows.append((f.cost_center_code, f"{f.name} - CLINICAL OPERATIONS", f.legal_entity_code,
                     f.code, "clinical_operations", "true"))
        rows.append((f"{f.cost_center_code}-ANC", f"{f.name} - ANCILLARY SERVICES",
                     f.legal_entity_code, f.code, "ancillary_services", "true"))
    return rows


def rows(network: Network) -> dict[str, list[tuple[str, ...]]]:
    return {
        "legal_entities": [(e.code, e.name, e.tax_id, e.currency) for e in network.legal_entities],
        "facilities": [(f.code, f.name, f.npi, f.legal_entity_code, f.facility_type, f.region,
                        f.cost_center_code) for f in network.facilities],
        "cost_centers": _cost_centers(network),
        "gl_accounts": list(GL_ACCOUNTS),
        "providers": [(p.npi, f"{p.given} {p.family}", p.specialty, p.facility_code)
                      for p in network.providers],
        "payers": [(p.payer_id, p.name, p.payer_type, p.party_code) for p in network.payers],
        "payer_contracts": [
            (c.payer_id, c.service_code, f"{c.expected_reimbursement:.2f}",
             CONTRACTS_EFFECTIVE_FROM, "")
            for c in network.contracts if network.payer(c.payer_id).billable],
        "services": [(s.code, s.description, f"{s.charge:.2f}", s.service_line)
                     for s in network.services],
    }


def to_csv(header: tuple[str, ...], data: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(data)
    return buffer.getvalue()


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name (`<extract date>/<entity>.csv`) -> content."""
    extract_date: dt.date = simulation.start
    return {f"{extract_date.isoformat()}/{entity}.csv": to_csv(HEADERS[entity], data)
            for entity, data in rows(network).items()}
