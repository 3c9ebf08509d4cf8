"""Patient-accounting extract: weekly (each Sunday, and the window's last day) a folder
`<extract date>/` with the transactions posted since the previous extract, one CSV per kind
(header row always present). Columns in docs/contracts.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from simulator.claims.records import AccountingEntry
from simulator.model import Simulation
from simulator.network import Network
from simulator.writers.erp_master import to_csv

COLUMNS = {
    "patient_payments": ("transaction_id", "posted_date", "claim_id", "facility_code",
                         "payer_id", "channel", "amount"),
    "write_offs": ("transaction_id", "posted_date", "claim_id", "facility_code", "payer_id",
                   "write_off_type", "carc", "amount"),
    "appeals": ("transaction_id", "posted_date", "claim_id", "facility_code", "payer_id",
                "appeal_event", "carc", "denial_date", "appeal_deadline", "amount"),
    "refunds": ("transaction_id", "posted_date", "claim_id", "facility_code", "payer_id",
                "payee", "amount"),
}
KIND_FILES = {"patient_payment": "patient_payments", "write_off": "write_offs",
              "appeal": "appeals", "refund": "refunds"}


def transaction_id(entry: AccountingEntry, n: int) -> str:
    return f"PA{entry.date:%Y%m%d}{n:05d}"


def _extract_date(day: dt.date, end: dt.date) -> dt.date:
    return min(day + dt.timedelta(days=(6 - day.weekday()) % 7), end)


def _row(entry: AccountingEntry, n: int) -> tuple[str, ...]:
    claim = entry.claim
    head = (transaction_id(entry, n), entry.date.isoformat(), claim.claim_id,
            claim.facility_code, claim.payer_id)
    amount = f"{entry.amount:.2f}"
    if entry.kind == "write_off":
        return (*head, entry.subtype, entry.reason, amount)
    if entry.kind == "appeal":
        return (*head, entry.subtype, entry.reason,
                entry.denial_date.isoformat() if entry.denial_date else "",
                entry.deadline.isoformat() if entry.deadline else "", amount)
    return (*head, entry.subtype, amount)


def numbered(simulation: Simulation) -> list[tuple[AccountingEntry, str]]:
    """Every entry with its transaction id (numbered within its posting day)."""
    counters: dict[dt.date, int] = defaultdict(int)
    found = []
    for entry in simulation.revenue.accounting:
        counters[entry.date] += 1
        found.append((entry, transaction_id(entry, counters[entry.date])))
    return found


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    extracts: dict[dt.date, dict[str, list[tuple[str, ...]]]] = defaultdict(
        lambda: defaultdict(list))
    counters: dict[dt.date, int] = defaultdict(int)
    for entry in simulation.revenue.accounting:
        counters[entry.date] += 1
        extract = _extract_date(entry.date, simulation.end)
        extracts[extract][KIND_FILES[entry.kind]].append(_row(entry, counters[entry.date]))
    files = {}
    for extract, kinds in sorted(extracts.items()):
        for name, columns in COLUMNS.items():
            files[f"{extract.isoformat()}/{name}.csv"] = to_csv(columns, kinds.get(name, []))
    return files
