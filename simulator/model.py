"""What the simulation produces, before any file is written: patients, appointments with
their scheduling events, claims with their submissions, acknowledgements and adjudications.
Writers render these; the truth is computed from them (never re-read from the files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.claims.records import RevenueCycle, Transmission


@dataclass(frozen=True)
class Patient:
    mrn: str
    family: str
    given: str
    birth_date: dt.date
    sex: str  # F / M
    payer_id: str
    member_id: str
    address: tuple[str, str, str, str]


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    minutes: int
    department: str
    room: str

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class TemplateSession:
    """One block of a provider's schedule template (schedule_templates/, FHIR Slots)."""

    provider_npi: str
    facility_code: str
    department: str
    room: str
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class SchedulingEvent:
    trigger: str  # S12, S13, S14, S15, S26
    time: dt.datetime
    slot: Slot  # the appointment's slot as of this event
    status: str  # SCH-25: Booked, Complete, Cancelled, Noshow
    reason: tuple[str, str] | None = None  # SCH-6 (code, text)


@dataclass
class Appointment:
    appointment_id: str
    visit_number: str
    facility_code: str
    provider_npi: str
    service_code: str
    patient: Patient
    events: list[SchedulingEvent] = field(default_factory=list)
    channel: str = "hl7"  # feed that carries it: hl7 (SIU), fhir (Appointment), csv (vendor)

    @property
    def booked_at(self) -> dt.datetime:
        return self.events[0].time

    @property
    def slot(self) -> Slot:
        return self.events[-1].slot

    @property
    def final_status(self) -> str:
        return {"S14": "completed", "S15": "cancelled", "S26": "no_show"}.get(
            self.events[-1].trigger, "booked"
        )


@dataclass(frozen=True)
class ServiceLine:
    number: int
    control_number: str  # REF*6R
    procedure_code: str
    units: int
    charge: Decimal
    allowed: Decimal  # contract rate x units (expected reimbursement of the line)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, PR, OA, PI
    reason: str  # CARC
    amount: Decimal
    line_number: int | None  # None = claim level


@dataclass(frozen=True)
class Adjudication:
    """One CLP of an 835, with the payment run that carries it."""

    status_code: str  # CLP02: 1 processed as primary, 4 denied
    paid: Decimal
    patient_responsibility: Decimal
    adjustments: tuple[Adjustment, ...]
    line_paid: tuple[Decimal, ...]  # SVC03 per line
    production_date: dt.date  # DTM*405
    payment_date: dt.date  # BPR16
    payer_claim_number: str = ""  # CLP07 ('' = the claim's payer_claim_number)
    frequency_code: str = ""  # CLP09 ('' = the claim's frequency_code)
    kind: str = ""  # initial, overturn, reversal, correction, replacement, secondary

    @property
    def denied(self) -> bool:
        return self.status_code == "4"

    def total(self, group: str, reasons: frozenset[str] | None = None) -> Decimal:
        return sum(
            (a.amount for a in self.adjustments
             if a.group == group and (reasons is None or a.reason in reasons)),
            Decimal("0"),
        )


@dataclass
class Claim:
    claim_id: str  # CLM01 = visit number
    appointment: Appointment
    payer_id: str
    legal_entity_code: str
    diagnosis: str
    lines: tuple[ServiceLine, ...]
    frequency_code: str = "1"
    submission_date: dt.date | None = None  # BHT04 of the first 837
    acknowledgement_date: dt.date | None = None  # 277CA BHT04
    category_code: str | None = None  # 277CA STC01-1 (A2 accepted)
    payer_claim_number: str | None = None  # 277CA REF*1K = 835 CLP07
    adjudications: list[Adjudication] = field(default_factory=list)
    responsibility: str = "P"  # SBR01 of the 837 (P primary, S secondary)
    claim_form: str = "P"  # 837P or 837I
    member_id: str = ""  # subscriber id at this payer ('' = the patient's)
    primary: Claim | None = None  # the primary claim of a secondary one
    secondary: Claim | None = None  # the secondary claim (COB) of a primary one
    voided: bool = False
    transmissions: list[Transmission] = field(default_factory=list)
    # billing provider of its 837s = payee of its 835s ('' = the owning legal entity); a
    # facility of one entity may bill a payer under another entity's TIN (shared billing)
    billing_entity_code: str = ""

    @property
    def payee_entity_code(self) -> str:
        return self.billing_entity_code or self.legal_entity_code

    @property
    def facility_code(self) -> str:
        return self.appointment.facility_code

    @property
    def service_code(self) -> str:
        return self.lines[0].procedure_code

    @property
    def service_date(self) -> dt.date:
        return self.appointment.slot.start.date()

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def expected_reimbursement(self) -> Decimal:
        return sum((line.allowed for line in self.lines), Decimal("0"))


@dataclass
class Simulation:
    start: dt.date
    end: dt.date  # last simulated day (inclusive)
    appointments: list[Appointment]
    claims: list[Claim]
    revenue: RevenueCycle | Any = None  # claims lifecycle beyond the primary claims
    templates: list[TemplateSession] = field(default_factory=list)  # provider schedules
