"""ERP master-data extract (``<landing>/erp_master/<YYYY-MM-DD>/*.csv``, docs/contracts.md)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class MasterDataError(ValueError):
    """The master-data extract is missing or malformed."""


@dataclass(frozen=True, slots=True)
class LegalEntity:
    legal_entity_code: str
    name: str
    tax_id: str
    currency: str


@dataclass(frozen=True, slots=True)
class Facility:
    facility_code: str
    name: str
    npi: str
    legal_entity_code: str
    facility_type: str
    region: str
    cost_center_code: str


@dataclass(frozen=True, slots=True)
class CostCenter:
    cost_center_code: str
    name: str
    legal_entity_code: str
    facility_code: str
    department: str
    active: bool


@dataclass(frozen=True, slots=True)
class GlAccount:
    account_code: str
    name: str
    account_type: str
    party_required: bool


@dataclass(frozen=True, slots=True)
class Payer:
    payer_id: str
    name: str
    payer_type: str
    party_code: str


ACCOUNT_TYPES = frozenset({
    "cash", "receivable", "contra_receivable", "revenue", "contra_revenue",
    "other_income", "expense", "liability",
})
PATIENTS_PARTY = "PATIENTS"
#: a legal entity's company party in the ERP; intercompany (due-to / due-from) lines name it
ENTITY_PARTY_PREFIX = "LE-"


def entity_party_code(legal_entity_code: str) -> str:
    return ENTITY_PARTY_PREFIX + legal_entity_code


@dataclass(frozen=True, slots=True)
class MasterData:
    extract_date: str
    legal_entities: tuple[LegalEntity, ...]
    facilities: tuple[Facility, ...]
    cost_centers: tuple[CostCenter, ...]
    gl_accounts: tuple[GlAccount, ...]
    payers: tuple[Payer, ...]

    def account(self, code: str) -> GlAccount:
        for account in self.gl_accounts:
            if account.account_code == code:
                return account
        raise KeyError(code)

    @property
    def account_codes(self) -> frozenset[str]:
        return frozenset(a.account_code for a in self.gl_accounts)

    @property
    def party_codes(self) -> frozenset[str]:
        return frozenset(
            {p.party_code for p in self.payers} | {PATIENTS_PARTY}
            | {entity_party_code(e.legal_entity_code) for e in self.legal_entities})

    @property
    def cost_center_codes(self) -> frozenset[str]:
        return frozenset(c.cost_center_code for c in self.cost_centers)


def _bool(value: str, *, field: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no", ""}:
        return False
    raise MasterDataError(f"{field}: not a boolean: {value!r}")


def _rows(folder: Path, name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        raise MasterDataError(f"missing master-data file {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise MasterDataError(f"{path}: missing columns {sorted(missing)}")
        return [{k: (row[k] or "").strip() for k in columns} for row in reader]


def latest_extract_dir(landing: Path) -> Path:
    """The newest ``<landing>/erp_master/<YYYY-MM-DD>/`` folder."""
    root = landing / "erp_master"
    dated = sorted(p for p in root.glob("*") if p.is_dir() and _DATE_DIR.match(p.name))
    if not dated:
        raise MasterDataError(f"no dated extract folder under {root}")
    return dated[-1]


def read_master_data(folder: Path) -> MasterData:
    """Read one extract folder (``.../erp_master/<YYYY-MM-DD>/``)."""
    entities = tuple(
        LegalEntity(**row) for row in _rows(
            folder, "legal_entities.csv", ("legal_entity_code", "name", "tax_id", "currency")))
    facilities = tuple(
        Facility(**row) for row in _rows(
            folder, "facilities.csv",
            ("facility_code", "name", "npi", "legal_entity_code", "facility_type", "region",
             "cost_center_code")))
    cost_centers = tuple(
        CostCenter(
            cost_center_code=row["cost_center_code"], name=row["name"],
            legal_entity_code=row["legal_entity_code"], facility_code=row["facility_code"],
            department=row["department"], active=_bool(row["active"], field="active"))
        for row in _rows(
            folder, "cost_centers.csv",
            ("cost_center_code", "name", "legal_entity_code", "facility_code", "department",
             "active")))
    accounts: list[GlAccount] = []
    for row in _rows(
            folder, "gl_accounts.csv", ("account_code", "name", "account_type",
                                        "party_required")):
        if row["account_type"] not in ACCOUNT_TYPES:
            raise MasterDataError(
                f"gl account {row['account_code']}: unknown type {row['account_type']!r}")
        accounts.append(GlAccount(
            account_code=row["account_code"], name=row["name"],
            account_type=row["account_type"],
            party_required=_bool(row["party_required"], field="party_required")))
    payers = tuple(
        Payer(**row) for row in _rows(
            folder, "payers.csv", ("payer_id", "name", "payer_type", "party_code")))
    entity_codes = {e.legal_entity_code for e in entities}
    for cc in cost_centers:
        if cc.legal_entity_code not in entity_codes:
            raise MasterDataError(
                f"cost center {cc.cost_center_code}: unknown legal entity {cc.legal_entity_code}")
    return MasterData(
        extract_date=folder.name, legal_entities=entities, facilities=facilities,
        cost_centers=cost_centers, gl_accounts=tuple(accounts), payers=payers)


def read_latest_master_data(landing: Path) -> MasterData:
    return read_master_data(latest_extract_dir(landing))
