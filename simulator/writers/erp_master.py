"""ERP master-data extracts: one CSV per entity (docs/contracts.md) under `<extract date>/`, on
every extract date of the network's timeline (daily by default, append-only: each extract is
the full master data as of that day). Over the window the extracts change as the ERP does: a
cost center retired (absent from its retirement extract on, its departments moved to a new
one), a provider added late (listed from `master_from`), a payer contract rate change (the new
row, with its effective_from, appears 14 days ahead; the old row then gets an effective_to),
and a room the scheduling feed uses that the location master never lists."""

from __future__ import annotations

import csv
import datetime as dt
import io

from simulator.model import Simulation
from simulator.network import Facility, Network
from simulator.writers.bai2 import account_number

CONTRACTS_EFFECTIVE_FROM = "2025-01-01"

GL_ACCOUNTS = (
    ("1010", "Cash clearing", "cash", "false"),
    ("1020", "Cash - operating", "cash", "false"),
    ("1200", "Accounts receivable - payers", "receivable", "true"),
    ("1210", "Accounts receivable - patients", "receivable", "true"),
    ("1250", "Due from affiliates", "receivable", "true"),
    ("1290", "Allowance for contractual adjustments", "contra_receivable", "false"),
    ("2050", "Due to affiliates", "liability", "true"),
    ("2100", "Unapplied cash", "liability", "false"),
    ("2190", "Provider-level adjustments clearing", "liability", "false"),
    ("4000", "Gross patient service revenue", "revenue", "false"),
    ("4100", "Contractual allowances", "contra_revenue", "false"),
    ("4200", "Denial write-offs", "contra_revenue", "false"),
    ("4300", "Interest income", "other_income", "false"),
    ("4400", "Bad debt (implicit price concessions)", "contra_revenue", "false"),
    ("4500", "Charity care", "contra_revenue", "false"),
    ("4600", "Administrative and small-balance adjustments", "contra_revenue", "false"),
)

HEADERS = {
    # tax_id / group_npi: the payee identification of its 835s (REF*TJ / N1*PE04), so a payee
    # TIN maps to the entity that receives the cash; bank_account: its BAI2 account
    "legal_entities": ("legal_entity_code", "name", "tax_id", "currency", "group_npi",
                       "bank_account"),
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
    "departments": ("department_code", "facility_code", "department", "name",
                    "cost_center_code"),
    "locations": ("location_code", "facility_code", "room", "department", "name", "active"),
}
CONTRACT_NOTICE_DAYS = 14  # a rate change reaches the ERP this long before it takes effect


def _cost_centers(network: Network, day: dt.date) -> list[tuple[str, ...]]:
    """The facility's cost center (facilities.cost_center_code) and an ancillary-services
    cost center per facility; a retired one is absent from its retirement extract on, and its
    replacement present."""
    retired = {r.cost_center_code: r for r in network.timeline.retired_cost_centers}
    rows = []
    for f in network.facilities:
        rows.append((f.cost_center_code, f"{f.name} - CLINICAL OPERATIONS", f.legal_entity_code,
                     f.code, "clinical_operations", "true"))
        retirement = retired.get(f.ancillary_cost_center_code)
        if retirement is None or day < retirement.retired_on:
            rows.append((f.ancillary_cost_center_code, f"{f.name} - ANCILLARY SERVICES",
                         f.legal_entity_code, f.code, "ancillary_services", "true"))
        if retirement is not None and day >= retirement.retired_on:
            rows.append((retirement.replacement_code, f"{f.name} - DIAGNOSTIC SERVICES",
                         f.legal_entity_code, f.code, "diagnostic_services", "true"))
    return rows


def _contracts(network: Network, day: dt.date) -> list[tuple[str, ...]]:
    known = [c for c in network.timeline.contract_changes
             if day >= c.effective_from - dt.timedelta(days=CONTRACT_NOTICE_DAYS)]
    rows = []
    for c in network.contracts:
        if not network.payer(c.payer_id).billable:
            continue
        change = next((k for k in known if (k.payer_id, k.service_code)
                       == (c.payer_id, c.service_code)), None)
        ends = (change.effective_from - dt.timedelta(days=1)).isoformat() if change else ""
        rows.append((c.payer_id, c.service_code, f"{c.expected_reimbursement:.2f}",
                     CONTRACTS_EFFECTIVE_FROM, ends))
        if change is not None:
            rows.append((c.payer_id, c.service_code, f"{change.expected_reimbursement:.2f}",
                         change.effective_from.isoformat(), ""))
    return rows


def _locations(facility: Facility, network: Network) -> list[tuple[str, ...]]:
    """Rooms RM01.. of the facility (the unmapped room of the timeline is never listed)."""
    departments = network.departments_at(facility.code)
    ancillary = [d for d in departments if d != facility.clinical_department] or departments
    providers = len(network.providers_at(facility.code))
    rows = []
    for n in range(1, max(facility.rooms, providers) + 1):
        room = f"RM{n:02d}"
        department = (facility.clinical_department if n <= providers
                      else ancillary[(n - providers - 1) % len(ancillary)])
        rows.append((f"{facility.code}-{room}", facility.code, room, department,
                     f"{facility.name} {department} ROOM {n}", "true"))
    return rows


def rows(network: Network, day: dt.date | None = None) -> dict[str, list[tuple[str, ...]]]:
    """Every entity's rows as of the extract date `day` (None: the window's first extract)."""
    day = day or (network.timeline.extract_dates or (dt.date.min,))[0]
    return {
        "legal_entities": [(e.code, e.name, e.tax_id, e.currency, e.group_npi,
                            account_number(e.tax_id)) for e in network.legal_entities],
        "facilities": [(f.code, f.name, f.npi, f.legal_entity_code, f.facility_type, f.region,
                        f.cost_center_code) for f in network.facilities],
        "cost_centers": _cost_centers(network, day),
        "gl_accounts": list(GL_ACCOUNTS),
        "providers": [(p.npi, p.name, p.specialty, p.facility_code)
                      for p in network.providers
                      if p.master_from is None or day >= p.master_from],
        "payers": [(p.payer_id, p.name, p.payer_type, p.party_code) for p in network.payers],
        "payer_contracts": _contracts(network, day),
        "services": [(s.code, s.description, f"{s.charge:.2f}", s.service_line)
                     for s in network.services],
        "departments": [(f"{f.code}-{d}", f.code, d, f"{f.name} {d}",
                         network.department_cost_center(f.code, d, day))
                        for f in network.facilities for d in network.departments_at(f.code)],
        "locations": [r for f in network.facilities for r in _locations(f, network)],
    }


def to_csv(header: tuple[str, ...], data: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(data)
    return buffer.getvalue()


def extract_dates(network: Network, simulation: Simulation) -> tuple[dt.date, ...]:
    return network.timeline.extract_dates or (simulation.start,)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name (`<extract date>/<entity>.csv`) -> content, for every extract date."""
    files = {}
    for day in extract_dates(network, simulation):
        for entity, data in rows(network, day).items():
            files[f"{day.isoformat()}/{entity}.csv"] = to_csv(HEADERS[entity], data)
    return files
