"""The simulated healthcare network as data: legal entities, facilities (hospital outpatient
departments, ambulatory clinics, urgent care, diagnostic centers, specialty practices) in
regions, departments, cost centers, rooms, providers with their credentialing per payer, payers,
services and payer contracts, plus the dated master-data changes of the window (a cost center
retired, a provider added late, a contract rate change, a location the ERP never mapped).
The static rows are in `simulator.network_data`; all names are invented, identifiers (NPIs,
tax ids) synthetic but structurally valid.

`build_network(facilities, seed)` picks the first N facility rows (and synthesizes more past
the list), so a larger network keeps the smaller one's facilities unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from simulator.network_data import (
    ANCILLARY_DEPARTMENTS,
    BASE_RATES,
    FACILITY_ROWS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    LEGAL_ENTITY_ROWS,
    PARENT_ENTITY_CODE,
    SERVICE_ROWS,
    SESSIONS,
    SPECIALTIES,
)
from simulator.network_data import (
    PAYER_MIX as PAYER_MIX,
)
from simulator.npi import make_npi
from simulator.streams import stream

CENT = Decimal("0.01")
CREDENTIALED_LONG_AGO = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class LegalEntity:
    code: str
    name: str
    tax_id: str  # EIN, 9 digits
    group_npi: str  # billing provider (2010AA) and 835 payee NPI
    submitter_id: str  # ISA06 / NM1*41 of its 837s
    address: tuple[str, str, str, str]  # street, city, state, zip9
    currency: str = "USD"


@dataclass(frozen=True)
class Service:
    code: str  # CPT
    description: str
    charge: Decimal
    service_line: str
    department: str  # AIL-3.1 point of care (E/M visits: the facility's clinical department)
    minutes: int  # appointment duration
    diagnoses: tuple[str, ...]  # ICD-10-CM (no dot) typical for the service


@dataclass(frozen=True)
class Payer:
    payer_id: str
    name: str
    payer_type: str  # medicare, medicaid, commercial, self_pay
    filing_indicator: str  # SBR09 / CLP06: MB, MC, CI
    tax_id: str  # EIN, 9 digits (835 TRN03 = "1" + EIN)
    rate_factor: Decimal  # allowed amount = Medicare rate x factor
    lag_days: tuple[int, int, int]  # adjudication lag after submission: low, mode, high
    denial_rate: float
    payment_weekday: int  # weekday of the payment run (0 = Monday)
    payment_delay_days: int  # BPR16 = production date + delay
    coinsurance: Decimal = Decimal("0")  # PR-2 share of allowed
    coinsurance_rate: float = 0.0  # share of claims with coinsurance
    copay: Decimal = Decimal("0")  # PR-3 on office visits
    copay_rate: float = 0.0
    deductible_rate: float = 0.0  # share of claims hitting a PR-1 deductible
    plan_type: str = ""  # 835 CLP06 (its code list has no CI: 12 PPO, HM HMO, 15 indemnity)

    @property
    def remit_filing_indicator(self) -> str:
        return self.plan_type or self.filing_indicator

    @property
    def party_code(self) -> str:
        return f"PAYER-{self.payer_id}"

    @property
    def billable(self) -> bool:
        return self.payer_type != "self_pay"


@dataclass(frozen=True)
class Credential:
    """A provider's enrollment with one payer: credentialed from `effective_from` (None = not
    credentialed at all); claims of an uncredentialed provider can be denied CO-B7."""

    payer_id: str
    effective_from: dt.date | None


@dataclass(frozen=True)
class Provider:
    npi: str
    family: str
    given: str
    specialty: str
    taxonomy: str
    facility_code: str
    department: str = ""  # home department (template location)
    home_room: str = "RM01"
    start_date: dt.date | None = None  # first day with patients (None: before the window)
    master_from: dt.date | None = None  # first ERP extract listing it (None: every extract)
    credentials: tuple[Credential, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"

    def works_on(self, day: dt.date) -> bool:
        return self.start_date is None or day >= self.start_date


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    npi: str
    legal_entity_code: str
    facility_type: str  # hospital_outpatient (837I), ambulatory_clinic, urgent_care, ...
    region: str
    address: tuple[str, str, str, str]
    base_volume: int  # appointments on an average weekday
    service_mix: tuple[tuple[str, float], ...]  # (service code, weight)
    rooms: int
    saturday: bool
    specialty_kind: str = ""  # key of network_data.SPECIALTIES / SESSIONS
    scheduling_system: str = "hl7"  # the facility's own system: hl7, fhir or csv (acquired)

    @property
    def cost_center_code(self) -> str:
        return f"CC-{self.code}"

    @property
    def ancillary_cost_center_code(self) -> str:
        return f"CC-{self.code}-ANC"

    @property
    def clinical_department(self) -> str:
        return SPECIALTIES[self.specialty_kind or _KIND_OF_TYPE[self.facility_type]][1]

    @property
    def sessions(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """(weekday sessions, Saturday sessions) of its provider templates, HH:MM pairs."""
        return SESSIONS[self.specialty_kind or _KIND_OF_TYPE[self.facility_type]]


_KIND_OF_TYPE = {"clinic": "ambulatory_clinic", "specialty_practice": "specialty_cardiology"}


@dataclass(frozen=True)
class Contract:
    payer_id: str
    service_code: str
    expected_reimbursement: Decimal  # allowed amount per unit


@dataclass(frozen=True)
class CostCenterRetirement:
    cost_center_code: str
    facility_code: str
    retired_on: dt.date  # first extract without it
    replacement_code: str  # cost center the departments move to


@dataclass(frozen=True)
class ContractChange:
    payer_id: str
    service_code: str
    effective_from: dt.date
    expected_reimbursement: Decimal  # the new rate; the old row ends the day before


@dataclass(frozen=True)
class UnmappedLocation:
    """A room the scheduling feed uses that the ERP location master never lists."""

    facility_code: str
    room: str
    department: str
    provider_npi: str  # the provider moved there
    from_date: dt.date

    @property
    def location_code(self) -> str:
        return f"{self.facility_code}-{self.room}"


@dataclass(frozen=True)
class MasterDataTimeline:
    """When the ERP extracts run and what changes in them over the window."""

    extract_dates: tuple[dt.date, ...] = ()
    retired_cost_centers: tuple[CostCenterRetirement, ...] = ()
    contract_changes: tuple[ContractChange, ...] = ()
    unmapped_locations: tuple[UnmappedLocation, ...] = ()


@dataclass(frozen=True)
class Network:
    legal_entities: tuple[LegalEntity, ...]
    facilities: tuple[Facility, ...]
    providers: tuple[Provider, ...]
    payers: tuple[Payer, ...]
    services: tuple[Service, ...]
    contracts: tuple[Contract, ...]
    clearinghouse_id: str = "HCOPSCLEARING"
    timeline: MasterDataTimeline = field(default_factory=MasterDataTimeline)
    # payer types the parent's billing office bills for every entity under the parent's TIN
    shared_billing_payer_types: tuple[str, ...] = ()
    parent_entity_code: str = PARENT_ENTITY_CODE
    _contract_index: dict[tuple[str, str], Decimal] = field(default_factory=dict, compare=False)
    _provider_index: dict[str, Provider] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for contract in self.contracts:
            key = (contract.payer_id, contract.service_code)
            self._contract_index[key] = contract.expected_reimbursement
        for provider in self.providers:
            self._provider_index[provider.npi] = provider

    def allowed(self, payer_id: str, service_code: str, on_date: dt.date | None = None) -> Decimal:
        """Expected reimbursement per unit; with `on_date`, the contract rate in effect that day
        (the timeline's rate changes apply from their effective_from)."""
        rate = self._contract_index[(payer_id, service_code)]
        if on_date is not None:
            for change in self.timeline.contract_changes:
                if ((change.payer_id, change.service_code) == (payer_id, service_code)
                        and on_date >= change.effective_from):
                    rate = change.expected_reimbursement
        return rate

    def is_credentialed(self, provider_npi: str, payer_id: str, on_date: dt.date) -> bool:
        """Whether the provider may bill the payer for a service on `on_date` (self-pay and
        payers without a credentialing record: always)."""
        if not self.payer(payer_id).billable:
            return True
        for credential in self.provider(provider_npi).credentials:
            if credential.payer_id == payer_id:
                return (credential.effective_from is not None
                        and on_date >= credential.effective_from)
        return True

    def billing_entity_code(self, facility_code: str, payer_id: str) -> str:
        """The legal entity whose TIN bills the payer for the facility's services (837
        2010AA) and receives its payments (835 payee): the facility's own entity, or the
        parent for the shared-billing payer types."""
        if self.payer(payer_id).payer_type in self.shared_billing_payer_types:
            return self.parent_entity_code
        return self.facility(facility_code).legal_entity_code

    def service(self, code: str) -> Service:
        return next(s for s in self.services if s.code == code)

    def payer(self, payer_id: str) -> Payer:
        return next(p for p in self.payers if p.payer_id == payer_id)

    def legal_entity(self, code: str) -> LegalEntity:
        return next(e for e in self.legal_entities if e.code == code)

    def facility(self, code: str) -> Facility:
        return next(f for f in self.facilities if f.code == code)

    def provider(self, npi: str) -> Provider:
        return self._provider_index[npi]

    def providers_at(self, facility_code: str) -> tuple[Provider, ...]:
        return tuple(p for p in self.providers if p.facility_code == facility_code)

    def department_of(self, facility_code: str, service_code: str) -> str:
        """The point of care of a service at a facility: E/M visits happen in the facility's
        clinical department, ancillary services in their own."""
        service = self.service(service_code)
        if service.department in ("PRIMARYCARE", "URGENT"):
            return self.facility(facility_code).clinical_department
        return service.department

    def departments_at(self, facility_code: str) -> tuple[str, ...]:
        facility = self.facility(facility_code)
        found = {self.department_of(facility_code, code) for code, _ in facility.service_mix}
        return tuple(sorted(found | {facility.clinical_department}))

    def department_cost_center(self, facility_code: str, department: str,
                               on_date: dt.date | None = None) -> str:
        facility = self.facility(facility_code)
        if department not in ANCILLARY_DEPARTMENTS:
            return facility.cost_center_code
        code = facility.ancillary_cost_center_code
        for retirement in self.timeline.retired_cost_centers:
            if (retirement.cost_center_code == code and on_date is not None
                    and on_date >= retirement.retired_on):
                code = retirement.replacement_code
        return code


D = Decimal

LEGAL_ENTITIES = tuple(
    LegalEntity(code, name, tax_id, make_npi(npi_base), submitter, address)
    for code, name, tax_id, npi_base, submitter, address in LEGAL_ENTITY_ROWS)

SERVICES = tuple(Service(*row) for row in SERVICE_ROWS)

PAYERS = (
    Payer("MCRB1", "MEDICARE PART B", "medicare", "MB", "520000101", D("1.00"), (10, 14, 21),
          0.06, 1, 2, coinsurance=D("0.20"), coinsurance_rate=0.6, deductible_rate=0.04),
    Payer("MCDST", "STATE MEDICAID", "medicaid", "MC", "520000202", D("0.72"), (16, 25, 38),
          0.11, 3, 1),
    Payer("BCHP1", "BLUECREST HEALTH PLAN", "commercial", "CI", "371000303", D("1.45"),
          (18, 24, 35), 0.08, 2, 2, copay=D("25"), copay_rate=0.45, deductible_rate=0.10,
          plan_type="12"),
    Payer("SMCI2", "SUMMIT CARE INSURANCE", "commercial", "CI", "371000404", D("1.30"),
          (18, 28, 35), 0.10, 4, 1, copay=D("30"), copay_rate=0.40, deductible_rate=0.08,
          plan_type="HM"),
    Payer("NSTA3", "NORTHSTAR ASSURANCE", "commercial", "CI", "371000505", D("1.60"),
          (20, 30, 35), 0.12, 0, 2, copay=D("20"), copay_rate=0.50, deductible_rate=0.12,
          plan_type="15"),
    Payer("SELF", "SELF PAY", "self_pay", "09", "000000000", D("1.00"), (0, 0, 0), 0.0, 0, 0),
)



def _facility_row(index: int) -> tuple:
    if index < len(FACILITY_ROWS):
        return FACILITY_ROWS[index]
    code = f"F{index + 1:02d}"
    template = FACILITY_ROWS[index % len(FACILITY_ROWS)]
    system = "hl7" if template[-1] == "csv" else template[-1]  # one vendor-CSV clinic only
    return (code, f"NETWORK SITE {index + 1}", *template[2:-1], system)


def _build_facility(index: int) -> Facility:
    (code, name, ftype, kind, region, address, volume, mix, rooms, saturday,
     system) = _facility_row(index)
    entity = LEGAL_ENTITIES[index % len(LEGAL_ENTITIES)]
    return Facility(code, name, make_npi(f"1{index + 1:03d}70000"), entity.code, ftype, region,
                    address, volume, mix, rooms, saturday, kind, system)


def _session_minutes(facility: Facility) -> int:
    total = 0
    for start, end in facility.sessions[0]:
        (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
        total += (h2 * 60 + m2) - (h1 * 60 + m1)
    return total


def provider_count(facility: Facility) -> int:
    """Enough providers for about 80 % template occupancy on an average weekday (2 to 4)."""
    minutes = sum(w * _SERVICE_MINUTES[code] for code, w in facility.service_mix) / sum(
        w for _, w in facility.service_mix)
    needed = facility.base_volume * minutes / (_session_minutes(facility) * 0.80)
    return max(2, min(4, round(needed)))


_SERVICE_MINUTES = {row[0]: row[5] for row in SERVICE_ROWS}


def _credentials(seed: int, npi: str, start: dt.date,
                 late_start: dt.date | None) -> tuple[Credential, ...]:
    """Credentialed with every billable payer long ago, except: about one provider in eight
    still pending with one commercial plan (credentialed 3 to 20 weeks into the window, or
    not at all); a provider who joins during the window is credentialed with Medicare and
    Medicaid from day one and with commercial plans 30 to 90 days later (or not yet)."""
    rng = stream(seed, "credentialing", npi)
    credentials = []
    pending = rng.choice([p.payer_id for p in PAYERS if p.payer_type == "commercial"])
    is_pending = rng.random() < 0.125
    for payer in PAYERS:
        if not payer.billable:
            continue
        since: dt.date | None = CREDENTIALED_LONG_AGO
        if late_start is not None:
            since = late_start
            if payer.payer_type == "commercial":
                lag = rng.choice((30, 45, 60, 90, None))
                since = None if lag is None else late_start + dt.timedelta(days=lag)
        elif is_pending and payer.payer_id == pending:
            weeks = rng.choice((3, 6, 10, 14, 20, None))
            since = None if weeks is None else start + dt.timedelta(weeks=weeks)
        credentials.append(Credential(payer.payer_id, since))
    return tuple(credentials)


def _build_providers(seed: int, facility: Facility, index: int,
                     start: dt.date) -> list[Provider]:
    rng = stream(seed, "providers", facility.code)
    specialties = SPECIALTIES[facility.specialty_kind][0]
    providers = []
    for n in range(provider_count(facility)):
        specialty, taxonomy = rng.choice(specialties)
        npi = make_npi(f"1{index + 1:03d}8{n:04d}")
        providers.append(Provider(npi, rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES),
                                  specialty, taxonomy, facility.code,
                                  facility.clinical_department,
                                  f"RM{n % facility.rooms + 1:02d}",
                                  credentials=_credentials(seed, npi, start, None)))
    return providers


def _contracts() -> tuple[Contract, ...]:
    contracts = []
    for payer in PAYERS:
        for service in SERVICES:
            allowed = min(service.charge,
                          (BASE_RATES[service.code] * payer.rate_factor).quantize(CENT))
            if payer.payer_type == "self_pay":
                allowed = service.charge
            contracts.append(Contract(payer.payer_id, service.code, allowed))
    return tuple(contracts)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _late_provider(seed: int, facilities: list[Facility], providers: list[Provider],
                   start: dt.date, days: int) -> Provider:
    """A provider who joins the facility with the fewest providers 30 % into the window and
    reaches the ERP provider master 9 days after the first patient."""
    counts = {f.code: sum(p.facility_code == f.code for p in providers) for f in facilities}
    facility = min(facilities, key=lambda f: (counts[f.code], facilities.index(f)))
    index = facilities.index(facility)
    rng = stream(seed, "late_provider", facility.code)
    first_day = _weekday_on_or_after(start + dt.timedelta(days=int(days * 0.3)))
    specialty, taxonomy = rng.choice(SPECIALTIES[facility.specialty_kind][0])
    npi = make_npi(f"1{index + 1:03d}80009")
    return Provider(npi, rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES), specialty,
                    taxonomy, facility.code, facility.clinical_department,
                    f"RM{counts[facility.code] % facility.rooms + 1:02d}", first_day,
                    first_day + dt.timedelta(days=9),
                    _credentials(seed, npi, start, first_day))


def _timeline(facilities: list[Facility], providers: list[Provider], start: dt.date,
              days: int, extract_every_days: int, changes: bool,
              network_departments: dict[str, tuple[str, ...]]) -> MasterDataTimeline:
    end = start + dt.timedelta(days=days - 1)
    extracts = tuple(start + dt.timedelta(days=d) for d in range(0, days, extract_every_days))
    if not changes:
        return MasterDataTimeline(extracts)
    retired = []
    with_ancillary = [f for f in facilities
                      if set(network_departments[f.code]) & ANCILLARY_DEPARTMENTS]
    if with_ancillary:
        facility = with_ancillary[0]
        retired.append(CostCenterRetirement(
            facility.ancillary_cost_center_code, facility.code,
            start + dt.timedelta(days=int(days * 0.4)), f"CC-{facility.code}-DXS"))
    effective = start + dt.timedelta(days=int(days * 0.5))
    effective = dt.date(effective.year, effective.month, 1) + dt.timedelta(days=32)
    effective = dt.date(effective.year, effective.month, 1)  # first of the next month
    contract_changes = []
    if effective <= end:
        for code in ("99213", "99214"):
            old = min(_SERVICE_CHARGE[code], (BASE_RATES[code] * _BCHP1.rate_factor).quantize(CENT))
            contract_changes.append(ContractChange("BCHP1", code, effective,
                                                   (old * Decimal("1.035")).quantize(CENT)))
    hl7_facilities = [f for f in facilities if f.scheduling_system == "hl7"] or facilities
    facility = hl7_facilities[0]
    mover = next(p for p in providers if p.facility_code == facility.code)
    unmapped = UnmappedLocation(facility.code, "RM90", mover.department, mover.npi,
                                _weekday_on_or_after(start + dt.timedelta(days=int(days * 0.6))))
    return MasterDataTimeline(extracts, tuple(retired), tuple(contract_changes), (unmapped,))


_SERVICE_CHARGE = {row[0]: row[2] for row in SERVICE_ROWS}
_BCHP1 = next(p for p in PAYERS if p.payer_id == "BCHP1")


def build_network(facilities: int, seed: int, *, start: dt.date | None = None,
                  days: int | None = None, changes: bool = True,
                  extract_every_days: int = 1,
                  shared_billing_payer_types: tuple[str, ...] = ()) -> Network:
    """The network of `facilities` sites. With `start` and `days`, also its master-data
    timeline: ERP extracts every `extract_every_days` days and, when `changes` (and the window
    is at least 14 days), the dated changes (retired cost center, late provider, contract rate
    change, unmapped location). Payers of `shared_billing_payer_types` are billed under the
    parent's TIN for every entity's facilities."""
    if facilities < 1:
        raise ValueError("at least one facility")
    built = [_build_facility(i) for i in range(facilities)]
    anchor = start or dt.date(2026, 1, 5)
    providers = [p for i, f in enumerate(built) for p in _build_providers(seed, f, i, anchor)]
    timeline = MasterDataTimeline()
    if start is not None and days is not None:
        dynamic = changes and days >= 14
        if dynamic:
            providers.append(_late_provider(seed, built, providers, start, days))
        departments = {f.code: _departments(f) for f in built}
        timeline = _timeline(built, providers, start, days, max(1, extract_every_days),
                             dynamic, departments)
    return Network(LEGAL_ENTITIES, tuple(built), tuple(providers), PAYERS, SERVICES,
                   _contracts(), timeline=timeline,
                   shared_billing_payer_types=tuple(shared_billing_payer_types))


def _departments(facility: Facility) -> tuple[str, ...]:
    found = {facility.clinical_department}
    for code, _ in facility.service_mix:
        department = _SERVICE_DEPARTMENT[code]
        found.add(facility.clinical_department if department in ("PRIMARYCARE", "URGENT")
                  else department)
    return tuple(sorted(found))


_SERVICE_DEPARTMENT = {row[0]: row[4] for row in SERVICE_ROWS}
