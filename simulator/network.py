"""The simulated healthcare network as data: legal entities, facilities, providers, payers,
services and payer contracts. All names are invented; identifiers (NPIs, tax ids) are
synthetic but structurally valid.

`build_network(facilities, seed)` picks the first N facility templates (and synthesizes more
past the list), so a larger network keeps the smaller one's facilities unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from simulator.npi import make_npi
from simulator.streams import stream

CENT = Decimal("0.01")


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
    department: str  # AIL-3.1 point of care
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
class Provider:
    npi: str
    family: str
    given: str
    specialty: str
    taxonomy: str
    facility_code: str


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    npi: str
    legal_entity_code: str
    facility_type: str
    region: str
    address: tuple[str, str, str, str]
    base_volume: int  # appointments on an average weekday
    service_mix: tuple[tuple[str, float], ...]  # (service code, weight)
    rooms: int
    saturday: bool

    @property
    def cost_center_code(self) -> str:
        return f"CC-{self.code}"


@dataclass(frozen=True)
class Contract:
    payer_id: str
    service_code: str
    expected_reimbursement: Decimal  # allowed amount per unit


@dataclass(frozen=True)
class Network:
    legal_entities: tuple[LegalEntity, ...]
    facilities: tuple[Facility, ...]
    providers: tuple[Provider, ...]
    payers: tuple[Payer, ...]
    services: tuple[Service, ...]
    contracts: tuple[Contract, ...]
    clearinghouse_id: str = "HCOPSCLEARING"
    _contract_index: dict[tuple[str, str], Decimal] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for contract in self.contracts:
            key = (contract.payer_id, contract.service_code)
            self._contract_index[key] = contract.expected_reimbursement

    def allowed(self, payer_id: str, service_code: str) -> Decimal:
        return self._contract_index[(payer_id, service_code)]

    def service(self, code: str) -> Service:
        return next(s for s in self.services if s.code == code)

    def payer(self, payer_id: str) -> Payer:
        return next(p for p in self.payers if p.payer_id == payer_id)

    def legal_entity(self, code: str) -> LegalEntity:
        return next(e for e in self.legal_entities if e.code == code)

    def facility(self, code: str) -> Facility:
        return next(f for f in self.facilities if f.code == code)

    def providers_at(self, facility_code: str) -> tuple[Provider, ...]:
        return tuple(p for p in self.providers if p.facility_code == facility_code)


D = Decimal

LEGAL_ENTITIES = (
    LegalEntity("NHP", "NORTHHAVEN HEALTH PARTNERS", "841726305", make_npi("159300001"),
                "NHPBILLING", ("100 HARBOR VIEW DR", "NORTHHAVEN", "MA", "019100001")),
    LegalEntity("RMG", "RIVERBEND MEDICAL GROUP", "862250417", make_npi("159300002"),
                "RMGBILLING", ("2400 MILL RACE RD", "RIVERBEND", "CT", "061000002")),
)

# code, description, charge, service line, department, minutes, typical diagnoses
SERVICES = (
    Service("99203", "Office visit new patient low MDM", D("240.00"), "primary_care",
            "PRIMARYCARE", 30, ("Z0000", "J069", "M545")),
    Service("99213", "Office visit established patient low MDM", D("175.00"), "primary_care",
            "PRIMARYCARE", 20, ("I10", "E119", "J069", "M545")),
    Service("99214", "Office visit established patient moderate MDM", D("250.00"),
            "primary_care", "PRIMARYCARE", 30, ("I10", "E119", "E785", "R0602")),
    Service("99284", "Urgent evaluation moderate MDM", D("650.00"), "urgent_care", "URGENT", 45,
            ("R079", "S93401A", "J189", "R1030")),
    Service("93000", "Electrocardiogram with interpretation", D("85.00"), "cardiology",
            "CARDIOLOGY", 15, ("R079", "I10", "R002")),
    Service("71046", "Chest x-ray two views", D("160.00"), "radiology", "RADIOLOGY", 15,
            ("R0602", "J189", "R05")),
    Service("80053", "Comprehensive metabolic panel", D("95.00"), "laboratory", "LAB", 10,
            ("E119", "I10", "E785")),
    Service("36415", "Routine venipuncture", D("25.00"), "laboratory", "LAB", 5,
            ("E119", "I10")),
)

# Medicare-like base rates (allowed per unit); other payers apply their rate factor
BASE_RATES = {
    "99203": D("110.40"), "99213": D("91.80"), "99214": D("129.60"), "99284": D("124.30"),
    "93000": D("17.20"), "71046": D("32.90"), "80053": D("10.60"), "36415": D("3.10"),
}

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

# coverage mix of the patient population: payer id -> weight
PAYER_MIX = (("MCRB1", 0.30), ("MCDST", 0.17), ("BCHP1", 0.21), ("SMCI2", 0.14),
             ("NSTA3", 0.11), ("SELF", 0.07))

_CLINIC_MIX = (("99213", 0.40), ("99214", 0.28), ("99203", 0.14), ("80053", 0.12),
               ("93000", 0.06))
_URGENT_MIX = (("99284", 0.30), ("99213", 0.25), ("99214", 0.15), ("71046", 0.18),
               ("93000", 0.12))
_DIAGNOSTIC_MIX = (("71046", 0.40), ("80053", 0.35), ("93000", 0.25))

# code, name, type, region, address, volume, mix, rooms, saturday
_FACILITY_TEMPLATES = (
    ("NHO", "NORTHHAVEN OUTPATIENT CENTER", "clinic", "north",
     ("12 ELM COURT", "NORTHHAVEN", "MA", "019100012"), 30, _CLINIC_MIX, 6, False),
    ("RVC", "RIVERBEND CLINIC", "clinic", "south",
     ("88 WILLOW LANE", "RIVERBEND", "CT", "061000088"), 24, _CLINIC_MIX, 5, False),
    ("LKU", "LAKESIDE URGENT CARE", "urgent_care", "north",
     ("5 SHORE RD", "LAKESIDE", "MA", "019200005"), 28, _URGENT_MIX, 4, True),
    ("MDD", "MEADOWVIEW DIAGNOSTICS", "diagnostic_center", "south",
     ("410 PRAIRIE AVE", "MEADOWVIEW", "CT", "061100410"), 22, _DIAGNOSTIC_MIX, 3, False),
    ("HCF", "HILLCREST FAMILY MEDICINE", "clinic", "west",
     ("77 SUMMIT ST", "HILLCREST", "NY", "125000077"), 26, _CLINIC_MIX, 5, False),
    ("BRU", "BROOKSIDE URGENT CARE", "urgent_care", "west",
     ("19 CREEK BLVD", "BROOKSIDE", "NY", "125100019"), 32, _URGENT_MIX, 4, True),
)

_SPECIALTIES = {
    "clinic": (("Family Medicine", "207Q00000X"), ("Internal Medicine", "207R00000X")),
    "urgent_care": (("Emergency Medicine", "207P00000X"), ("Family Medicine", "207Q00000X")),
    "diagnostic_center": (("Diagnostic Radiology", "2085R0202X"), ("Cardiology", "207RC0000X")),
}

_GIVEN = ("ARDEN", "BRYNN", "CALDER", "DARIEN", "ELOWEN", "FARIS", "GWYN", "HOLLIS", "IMRI",
          "JORAH", "KESTREL", "LIORA", "MARLO", "NAVI", "ORRIN", "PERRIN")
_FAMILY = ("ASHGROVE", "BRAMBLEWOOD", "COPPERFIELD", "DUNMERE", "EMBERLY", "FENWICK",
           "GLENHOLLOW", "HARROWGATE", "IVYBRIDGE", "JUNIPERO", "KILNSEY", "LARKSPUR",
           "MOSSVALE", "NETHERBY", "OAKMERE", "PINEHURSTE")


def _facility(index: int) -> tuple:
    if index < len(_FACILITY_TEMPLATES):
        return _FACILITY_TEMPLATES[index]
    code = f"F{index + 1:02d}"
    template = _FACILITY_TEMPLATES[index % len(_FACILITY_TEMPLATES)]
    return (code, f"NETWORK SITE {index + 1}", *template[2:])


def _build_facility(index: int) -> Facility:
    code, name, ftype, region, address, volume, mix, rooms, saturday = _facility(index)
    entity = LEGAL_ENTITIES[index % len(LEGAL_ENTITIES)]
    return Facility(code, name, make_npi(f"1{index + 1:03d}70000"), entity.code, ftype, region,
                    address, volume, mix, rooms, saturday)


def _build_providers(seed: int, facility: Facility, index: int) -> list[Provider]:
    rng = stream(seed, "providers", facility.code)
    providers = []
    for n in range(rng.randint(2, 4)):
        specialty, taxonomy = rng.choice(_SPECIALTIES[facility.facility_type])
        npi = make_npi(f"1{index + 1:03d}8{n:04d}")
        providers.append(Provider(npi, rng.choice(_FAMILY), rng.choice(_GIVEN), specialty,
                                  taxonomy, facility.code))
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


def build_network(facilities: int, seed: int) -> Network:
    if facilities < 1:
        raise ValueError("at least one facility")
    built = [_build_facility(i) for i in range(facilities)]
    providers = [p for i, f in enumerate(built) for p in _build_providers(seed, f, i)]
    return Network(LEGAL_ENTITIES, tuple(built), tuple(providers), PAYERS, SERVICES,
                   _contracts())
