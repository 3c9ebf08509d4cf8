"""What the claims lifecycle produces besides `Claim` and `Adjudication` (simulator.model):
837 batches and the transmissions they carry, 999 and 277CA results, PLB lines, 835
transactions, bank deposits, patient-accounting entries and claim status inquiries (276 /
277)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from simulator.model import Adjudication, Claim


@dataclass
class Ack277:
    """The 277CA outcome of one transmission."""

    date: dt.date
    category: str  # STC01-1: A1, A2, A3, A6, A7, A8
    status: str  # STC01-2
    entity: str  # STC01-3 ('' when not used)
    level: str  # where the rejection sits: claim, 2200B, 2200C ('' when accepted)
    payer_claim_number: str | None

    @property
    def accepted(self) -> bool:
        return self.category == "A2"


@dataclass
class Transmission:
    """One claim carried by one 837 (CLM loop)."""

    claim: Claim
    batch: Batch
    frequency_code: str  # CLM05-3: 1, 7, 8
    original_reference: str | None = None  # REF*F8 (payer claim number replaced / voided)
    ack: Ack277 | None = None


@dataclass
class Batch:
    """One 837 interchange: a submission day, a billing legal entity, a claim form."""

    day: dt.date
    entity_code: str
    form: str  # P (837P) or I (837I)
    control: int = 0  # ISA13 = GS06
    transmissions: list[Transmission] = field(default_factory=list)
    accepted: bool = True  # 999 AK9
    ack_date: dt.date | None = None  # 277CA date (None: after the window)

    @property
    def name(self) -> str:
        return f"837{self.form}_{self.entity_code}_{self.day:%Y%m%d}"

    @property
    def version(self) -> str:
        return "005010X223A2" if self.form == "I" else "005010X222A1"


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment (amount > 0 reduces the payment; interest is negative)."""

    reason: str  # L6 interest, WO overpayment recovery
    reference: str  # PLB03-2
    amount: Decimal
    claim_id: str


@dataclass
class RemitTransaction:
    """One 835 transaction: a payer's payment run to one payee legal entity."""

    payer_id: str
    production_date: dt.date
    payment_date: dt.date
    entity_code: str
    trace: str  # TRN02
    remits: list[tuple[Claim, Adjudication]]
    plb: list[ProviderAdjustment] = field(default_factory=list)

    @property
    def claims_paid(self) -> Decimal:
        return sum((adj.paid for _, adj in self.remits), Decimal("0"))

    @property
    def amount(self) -> Decimal:
        """BPR02 = sum of CLP04 - sum of PLB amounts."""
        return self.claims_paid - sum((p.amount for p in self.plb), Decimal("0"))

    @property
    def eft(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class Deposit:
    """One BAI2 credit to a legal entity's operating account."""

    date: dt.date
    entity_code: str
    amount: Decimal
    trace: str  # customer reference = the 835 TRN02
    payer_id: str
    matched: bool  # False: deliberately without an 835


@dataclass(frozen=True)
class AccountingEntry:
    """One row of the patient-accounting extract."""

    kind: str  # patient_payment, write_off, appeal, refund
    date: dt.date
    claim: Claim
    amount: Decimal
    subtype: str  # channel / write-off type / appeal event (filed, overturned, upheld) / payee
    reason: str = ""  # CARC of a denial write-off or an appeal
    deadline: dt.date | None = None  # appeal deadline
    denial_date: dt.date | None = None


@dataclass(frozen=True)
class StatusInquiry:
    """One claim asked about by a 276 and the payer's 277 answer (005010X212)."""

    claim: Claim
    inquiry_date: dt.date  # BHT04 of the 276
    trace: str  # TRN02 of the claim (2200D), echoed by the 277
    payer_claim_number: str  # REF*1K: the 277CA's number of the accepted transmission
    frequency_code: str  # of that transmission (REF*BLT of an institutional claim)
    response_date: dt.date | None  # BHT04 of the 277 (None: after the window)
    category: str = ""  # STC01-1: P* pending, R* request, F* finalized ('' = no response)
    status: str = ""  # STC01-2
    adjudication: Adjudication | None = None  # the CLP a finalized answer reports
    remittance_trace: str = ""  # STC09: TRN02 of the 835 that paid it (F1 only)

    @property
    def status_date(self) -> dt.date | None:
        """STC02: the adjudication date of a finalized claim, else the answer's date."""
        return self.adjudication.production_date if self.adjudication else self.response_date


@dataclass
class RevenueCycle:
    batches: list[Batch] = field(default_factory=list)
    secondary_claims: list[Claim] = field(default_factory=list)
    orphan_claims: list[Claim] = field(default_factory=list)  # remits without a submission
    remittances: list[RemitTransaction] = field(default_factory=list)
    deposits: list[Deposit] = field(default_factory=list)
    accounting: list[AccountingEntry] = field(default_factory=list)
    payer_types: dict[str, str] = field(default_factory=dict)  # payer id -> payer type
    status_inquiries: list[StatusInquiry] = field(default_factory=list)  # 276 / 277 X212
