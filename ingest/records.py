"""Canonical records: the versioned contract between the source parsers, the raw landing
tables and the dbt staging models.

Each record kind is a frozen dataclass. Its fields become the columns of the raw landing
table `raw.<kind>` (plus the load metadata columns of `ingest.landing`). Field order is the
column order. Amounts are `Decimal`, dates `date`, timestamps naive UTC `datetime` (except
`group_created_at` of the X12 kinds: GS04 / GS05 as the sender wrote them, decision 0031; and an
HL7 time written without a UTC offset: the sender's wall clock, its `*_utc_offset` null,
decision 0028).

The JSON Schema of each kind and version is committed under `ingest/contracts/` (regenerate
with `python -m ingest.contracts`; contract tests fail on a breaking change), and
`ingest.upcast` lifts older versions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class AppointmentEvent:
    """One HL7 v2 SIU message (S12 new, S13 reschedule, S14 modify, S15 cancel, S17 delete,
    S26 no-show)."""

    kind: ClassVar[str] = "appointment_event"
    schema_version: ClassVar[int] = 2  # v2: event_time_utc_offset, start_time_utc_offset
    key_fields: ClassVar[tuple[str, ...]] = ("sending_facility", "message_control_id")

    appointment_id: str  # SCH-2 (filler id), else SCH-1 (placer id)
    event_type: str  # trigger event from MSH-9.2: S12, S13, S14, S15, S17, S26
    event_time: dt.datetime  # MSH-7
    message_control_id: str  # MSH-10
    sending_facility: str | None  # MSH-4
    status: str | None  # SCH-25 filler status code (Booked, Complete, Cancelled, Noshow, ...)
    start_time: dt.datetime | None  # TQ1-7 (v2.5+), else SCH-11.4, else AIS-4
    duration_minutes: int | None  # TQ1 / SCH-11 duration, else AIS-7
    facility_code: str | None  # AIL-3.4, else PV1-3.4, else MSH-4
    location_code: str | None  # AIL-3.1 (point of care / department)
    provider_npi: str | None  # AIP-3.1
    service_code: str | None  # AIS-3.1 (CPT / HCPCS)
    visit_number: str | None  # PV1-19 = the claim's CLM01
    patient_id: str | None  # PID-3.1 (MRN; PHI, raw store only)
    event_reason: str | None  # SCH-6.1 (e.g. a cancellation reason)
    # HL7 only (decision 0028): the UTC offset the DTM was written with ("-0500"); ingest
    # applied it, so the time is UTC. None: written without one (the sender's wall clock) or a
    # channel whose times are UTC by contract (FHIR, vendor CSV)
    event_time_utc_offset: str | None = None  # offset of MSH-7
    start_time_utc_offset: str | None = None  # offset of the start (TQ1-7 / SCH-11.4 / AIS-4)


@dataclass(frozen=True, slots=True)
class ClaimSubmission:
    """One CLM loop of an X12 837P / 837I (005010X222A1 / X223A2)."""

    kind: ClassVar[str] = "claim_submission"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "claim_id",
        "payer_id",
        "frequency_code",
        "charge_amount",
        "service_date_from",
        "sender_id",
        "interchange_control_number",
        "transaction_control_number",
    )

    claim_id: str  # CLM01 patient control number
    charge_amount: Decimal  # CLM02
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    place_of_service: str | None  # CLM05-1
    facility_code_qualifier: str | None  # CLM05-2 (B professional, A institutional)
    payer_responsibility: str  # SBR01: P / S / T
    payer_id: str | None  # 2010BB NM1*PR09
    payer_name: str | None  # 2010BB NM1*PR03
    billing_npi: str | None  # 2010AA NM1*85*..09
    facility_npi: str | None  # 2310C NM1*77 (837P) / 2310E (837I) 09, else billing_npi
    rendering_npi: str | None  # 2310B NM1*82 09
    subscriber_id: str | None  # 2010BA NM1*IL09 (member id; PHI, raw store only)
    original_payer_claim_number: str | None  # REF*F8
    service_date_from: dt.date | None  # earliest DTP*472 of the lines (or claim-level DTP*434)
    service_date_to: dt.date | None
    line_count: int  # number of LX loops
    submission_date: dt.date | None  # BHT04
    transaction_type: str  # GS08 / ST03, e.g. 005010X222A1
    sender_id: str  # ISA06 (trimmed)
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class ClaimServiceLine:
    """One service line (LX / SV1 or SV2) of an 837 claim."""

    kind: ClassVar[str] = "claim_service_line"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "claim_id",
        "payer_id",
        "frequency_code",
        "line_number",
        "sender_id",
        "interchange_control_number",
        "transaction_control_number",
    )

    claim_id: str
    payer_id: str | None
    frequency_code: str
    line_number: int  # LX01
    line_control_number: str | None  # REF*6R
    procedure_code: str | None  # SV101-2 / SV202-2
    revenue_code: str | None  # SV201 (837I)
    charge_amount: Decimal  # SV102 / SV203
    units: Decimal | None  # SV104 / SV205
    service_date: dt.date | None  # DTP*472
    sender_id: str
    interchange_control_number: str
    transaction_control_number: str
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim-level status of an X12 277CA (005010X214): TRN02 of loop 2200D + STC. A
    rejection at a higher HL level is applied to every claim below it (level says where it
    was found)."""

    kind: ClassVar[str] = "claim_status"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "claim_id",
        "payer_id",
        "category_code",
        "status_code",
        "status_date",
        "level",
        "sender_id",
        "interchange_control_number",
        "transaction_control_number",
    )

    claim_id: str  # 2200D TRN02 (= CLM01)
    category_code: str  # STC01-1, e.g. A1, A2, A3, A6, A7, A8
    status_code: str | None  # STC01-2
    entity_code: str | None  # STC01-3
    status_date: dt.date | None  # STC02
    level: str  # claim | provider | receiver | source (HL level the STC came from)
    charge_amount: Decimal | None  # STC04 at claim level
    payer_claim_number: str | None  # REF*1K
    payer_id: str | None  # 2100A NM1*PR09
    report_date: dt.date | None  # BHT04
    sender_id: str
    interchange_control_number: str
    transaction_control_number: str
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class RemittancePayment:
    """The payment header of one 835 transaction (BPR, TRN, DTM*405, N1*PR, N1*PE)."""

    kind: ClassVar[str] = "remittance_payment"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    # payers re-send the same 835 under new control numbers: dedupe on business content
    key_fields: ClassVar[tuple[str, ...]] = (
        "trace_number",
        "payer_trace_id",
        "payment_amount",
        "payment_date",
    )

    trace_number: str  # TRN02
    payer_trace_id: str | None  # TRN03
    payment_amount: Decimal  # BPR02
    credit_debit_flag: str | None  # BPR03
    payment_method: str | None  # BPR04 (ACH, CHK, NON, ...)
    payment_date: dt.date | None  # BPR16
    production_date: dt.date | None  # DTM*405
    payer_id: str | None  # N1*PR04 (XV), else REF*2U, else TRN03
    payer_name: str | None  # N1*PR02
    payee_npi: str | None  # N1*PE04 when N1*PE03 = XX
    payee_tax_id: str | None  # N1*PE04 when FI, else REF*TJ
    claim_count: int
    sender_id: str
    interchange_control_number: str
    transaction_control_number: str
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class RemittanceClaim:
    """One CLP loop of an 835 (005010X221A1)."""

    kind: ClassVar[str] = "remittance_claim"
    schema_version: ClassVar[int] = 2  # v2: remark_codes
    key_fields: ClassVar[tuple[str, ...]] = ("trace_number", "payer_trace_id", "claim_index")

    claim_id: str  # CLP01
    status_code: str  # CLP02
    charge_amount: Decimal  # CLP03
    paid_amount: Decimal  # CLP04
    patient_responsibility_amount: Decimal | None  # CLP05
    claim_filing_indicator: str | None  # CLP06
    payer_claim_control_number: str | None  # CLP07
    facility_type_code: str | None  # CLP08
    frequency_code: str | None  # CLP09
    service_date_from: dt.date | None  # DTM*232 (or earliest line DTM*472)
    service_date_to: dt.date | None  # DTM*233
    claim_index: int  # 1-based position of the CLP in its transaction
    trace_number: str  # TRN02 of the enclosing payment
    payer_trace_id: str | None  # TRN03
    payer_id: str | None
    production_date: dt.date | None  # DTM*405 of the transaction
    payment_date: dt.date | None  # BPR16
    # claim-level remark codes (RARC), comma separated in segment order: MOA03..MOA07
    # (outpatient), MIA05 and MIA20..MIA24 (inpatient); None when the CLP has none
    remark_codes: str | None = None


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One SVC loop of an 835 claim."""

    kind: ClassVar[str] = "remittance_line"
    schema_version: ClassVar[int] = 2  # v2: remark_codes
    key_fields: ClassVar[tuple[str, ...]] = (
        "trace_number",
        "payer_trace_id",
        "claim_index",
        "line_number",
    )

    claim_id: str
    line_number: int  # 1-based position of the SVC in its claim
    line_control_number: str | None  # REF*6R
    procedure_code: str | None  # SVC01-2
    charge_amount: Decimal  # SVC02
    paid_amount: Decimal  # SVC03
    units: Decimal | None  # SVC05
    service_date: dt.date | None  # DTM*472
    claim_index: int
    trace_number: str
    payer_trace_id: str | None
    remark_codes: str | None = None  # LQ02 of the LQ*HE segments, comma separated, in order


@dataclass(frozen=True, slots=True)
class RemittanceAdjustment:
    """One (group, CARC, amount) triplet of a CAS segment, at claim level (line_number None)
    or line level."""

    kind: ClassVar[str] = "remittance_adjustment"
    key_fields: ClassVar[tuple[str, ...]] = (
        "trace_number",
        "payer_trace_id",
        "claim_index",
        "line_number",
        "adjustment_index",
    )

    claim_id: str
    line_number: int | None
    group_code: str  # CAS01: CO, PR, OA, PI
    reason_code: str  # CARC
    amount: Decimal
    quantity: Decimal | None
    adjustment_index: int  # 1-based position of the triplet within its claim / line
    claim_index: int
    trace_number: str
    payer_trace_id: str | None


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One reason / amount pair of a PLB segment."""

    kind: ClassVar[str] = "provider_adjustment"
    key_fields: ClassVar[tuple[str, ...]] = ("trace_number", "payer_trace_id", "adjustment_index")

    provider_id: str  # PLB01
    fiscal_period_date: dt.date | None  # PLB02
    reason_code: str  # PLB03-1 (L6 interest, WO overpayment recovery, ...)
    reference_id: str | None  # PLB03-2
    amount: Decimal  # positive reduces the payment
    adjustment_index: int
    trace_number: str
    payer_trace_id: str | None


@dataclass(frozen=True, slots=True)
class MasterDataRecord:
    """One row of an ERP master-data extract (CSV), landed append-only with its extract date.
    `attributes` holds the row as JSON text; dbt staging types the columns per entity."""

    kind: ClassVar[str] = "erp_master_record"
    key_fields: ClassVar[tuple[str, ...]] = ("entity", "extract_date", "natural_key")

    entity: str  # facilities, cost_centers, gl_accounts, providers, payers, payer_contracts, ...
    extract_date: dt.date
    natural_key: str  # the entity's business key (see ingest.formats.erp_master)
    attributes: str  # JSON object of the row, all values as strings


@dataclass(frozen=True, slots=True)
class BatchAcknowledgment:
    """One X12 999 implementation acknowledgment (005010X231A1) of one functional group: AK1
    and AK9, with the result of each acknowledged transaction set (AK2 / IK5) summarized."""

    kind: ClassVar[str] = "batch_acknowledgment"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "sender_id",
        "interchange_control_number",
        "group_control_number",
        "transaction_control_number",
        "acknowledged_group_control_number",
    )

    functional_id: str  # AK1-01 (HC claims, ...)
    acknowledged_group_control_number: str  # AK1-02 = GS06 of the acknowledged group
    acknowledged_version: str | None  # AK1-03 (e.g. 005010X222A1)
    group_status: str  # AK9-01: A accepted, E accepted with errors, P partial, R rejected, ...
    transaction_sets_included: int | None  # AK9-02
    transaction_sets_received: int | None  # AK9-03
    transaction_sets_accepted: int | None  # AK9-04
    group_error_codes: str | None  # AK9-05 .. AK9-09, comma separated
    transaction_set_results: str | None  # "ST02:IK501" per AK2, comma separated
    sender_id: str  # ISA06 (the clearinghouse)
    receiver_id: str | None  # ISA08 (the submitter)
    report_date: dt.date | None  # GS04
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class TransactionSetAcknowledgment:
    """One AK2 loop of a 999: the accept / reject of one transaction set (an 837 ST02)."""

    kind: ClassVar[str] = "transaction_set_acknowledgment"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "sender_id",
        "interchange_control_number",
        "group_control_number",
        "transaction_control_number",
        "acknowledged_group_control_number",
        "acknowledged_transaction_control_number",
    )

    functional_id: str  # AK1-01
    acknowledged_group_control_number: str  # AK1-02
    acknowledged_transaction_set_id: str  # AK2-01 (837, ...)
    acknowledged_transaction_control_number: str  # AK2-02 = ST02 of the acknowledged set
    acknowledged_version: str | None  # AK2-03
    status: str  # IK5-01: A, E accepted (with errors), M, R, W, X rejected
    error_codes: str | None  # IK5-02 .. IK5-06, comma separated
    segment_errors: int  # number of IK3 segments
    error_detail: str | None  # IK3 / IK4 / CTX summary a person can act on
    sender_id: str  # ISA06
    receiver_id: str | None  # ISA08
    report_date: dt.date | None  # GS04
    interchange_control_number: str  # ISA13
    group_control_number: str  # GS06
    transaction_control_number: str  # ST02
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


@dataclass(frozen=True, slots=True)
class InterchangeAcknowledgment:
    """One TA1 segment: the accept / reject of a whole interchange (envelope level)."""

    kind: ClassVar[str] = "interchange_acknowledgment"
    key_fields: ClassVar[tuple[str, ...]] = (
        "sender_id",
        "interchange_control_number",
        "acknowledged_interchange_control_number",
    )

    acknowledged_interchange_control_number: str  # TA101 = ISA13 of the acknowledged file
    acknowledged_interchange_date: dt.date | None  # TA102 (YYMMDD)
    acknowledged_interchange_time: str | None  # TA103 (HHMM)
    status: str  # TA104: A accepted, E accepted with errors, R rejected
    note_code: str | None  # TA105 (000 no error, 001 ..., 0xx interchange note codes)
    sender_id: str  # ISA06
    receiver_id: str | None  # ISA08
    interchange_control_number: str  # ISA13 of the acknowledgment itself


@dataclass(frozen=True, slots=True)
class BankDeposit:
    """One BAI2 transaction detail (16 record, with its 88 continuations): a deposit (credit)
    or a debit on a bank account. The EFT trace of an 835 (TRN02) is in the customer
    reference or the text."""

    kind: ClassVar[str] = "bank_deposit"
    # a bank re-sends a file under a new file id: dedupe on business content
    key_fields: ClassVar[tuple[str, ...]] = (
        "account_number",
        "as_of_date",
        "type_code",
        "amount",
        "bank_reference",
        "customer_reference",
        "occurrence",
    )

    account_number: str  # 03-01
    currency: str | None  # 03-02, else 02-06
    as_of_date: dt.date  # 02-04
    type_code: str  # 16-01 (BAI type code: 1xx-3xx credits, 4xx-6xx debits)
    direction: str  # credit | debit | other (from the type code)
    amount: Decimal  # 16-02 (implied two decimals)
    funds_type: str | None  # 16-03
    bank_reference: str | None  # 16-04 (16-xx after availability)
    customer_reference: str | None  # 16-05
    text: str | None  # 16-06 and 88 continuations
    trace_number: str | None  # TRN*1*<trace> in the text, else the customer reference
    originator_id: str | None  # 02-02 (the bank)
    sender_id: str  # 01-01
    file_id: str  # 01-05 file identification number
    file_creation_date: dt.date | None  # 01-03
    occurrence: int  # 1-based among identical details of the same account and day


@dataclass(frozen=True, slots=True)
class PatientPayment:
    """One row of the patient-accounting extract `patient_payments.csv`: a payment by the
    patient (copay, coinsurance, balance) posted to a claim / visit."""

    kind: ClassVar[str] = "patient_payment"
    key_fields: ClassVar[tuple[str, ...]] = ("transaction_id",)

    transaction_id: str  # the extract's own transaction id (unique across the four files)
    posted_date: dt.date
    claim_id: str  # the claim / visit id (= CLM01)
    facility_code: str | None
    payer_id: str | None
    channel: str | None  # point_of_service, portal, mail, ...
    amount: Decimal
    extract_date: dt.date | None  # the extract folder's date


@dataclass(frozen=True, slots=True)
class WriteOff:
    """One row of `write_offs.csv`: a balance written off (small balance, timely filing, ...)."""

    kind: ClassVar[str] = "write_off"
    key_fields: ClassVar[tuple[str, ...]] = ("transaction_id",)

    transaction_id: str
    posted_date: dt.date
    claim_id: str
    facility_code: str | None
    payer_id: str | None
    write_off_type: str | None
    carc: str | None  # the denial reason (CARC) behind the write-off, when any
    amount: Decimal
    extract_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Appeal:
    """One row of `appeals.csv`: an appeal event (filed, won, lost, ...) on a denied claim."""

    kind: ClassVar[str] = "appeal"
    key_fields: ClassVar[tuple[str, ...]] = ("transaction_id",)

    transaction_id: str
    posted_date: dt.date
    claim_id: str
    facility_code: str | None
    payer_id: str | None
    appeal_event: str | None
    carc: str | None
    denial_date: dt.date | None
    appeal_deadline: dt.date | None
    amount: Decimal
    extract_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Refund:
    """One row of `refunds.csv`: money paid back (to the patient or a payer)."""

    kind: ClassVar[str] = "refund"
    key_fields: ClassVar[tuple[str, ...]] = ("transaction_id",)

    transaction_id: str
    posted_date: dt.date
    claim_id: str
    facility_code: str | None
    payer_id: str | None
    payee: str | None
    amount: Decimal
    extract_date: dt.date | None


@dataclass(frozen=True, slots=True)
class ScheduleTemplate:
    """One template session of a provider schedule extract (`<facility>/<YYYY-MM>.csv`): a
    provider's block of bookable time in one room on one day; `available_minutes` is schedule
    occupancy's denominator. start / end are the facility's local wall-clock time `HH:MM`."""

    kind: ClassVar[str] = "schedule_template"
    key_fields: ClassVar[tuple[str, ...]] = ("provider_npi", "facility_code", "date", "start")

    provider_npi: str
    facility_code: str
    location_code: str | None
    department: str | None
    room: str | None
    date: dt.date
    start: str  # HH:MM local
    end: str  # HH:MM local, after start
    available_minutes: int


RECORD_TYPES: tuple[type, ...] = (
    AppointmentEvent,
    ClaimSubmission,
    ClaimServiceLine,
    ClaimStatus,
    RemittancePayment,
    RemittanceClaim,
    RemittanceLine,
    RemittanceAdjustment,
    ProviderAdjustment,
    MasterDataRecord,
    BatchAcknowledgment,
    TransactionSetAcknowledgment,
    InterchangeAcknowledgment,
    BankDeposit,
    PatientPayment,
    WriteOff,
    Appeal,
    Refund,
    ScheduleTemplate,
)
RECORD_TYPES_BY_KIND: dict[str, type] = {t.kind: t for t in RECORD_TYPES}


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """What could not be parsed: the raw payload and a reason a person can act on."""

    kind: ClassVar[str] = "dead_letter"

    source: str  # hl7_siu, x12_837, ..., bai2, patient_accounting, schedule_templates
    error_class: str  # e.g. MissingSegment, BadSeparator, InvalidValue, Truncated
    reason: str  # human-readable: what is wrong and where
    payload: str  # the raw message / transaction / row
    offset: int  # message / transaction / row index within the file (0-based)


Record = Any  # one of RECORD_TYPES


def schema_version_of(record_type: type) -> int:
    """The contract version of a record kind (`schema_version` class attribute when a kind
    moves on alone, else the global SCHEMA_VERSION)."""
    return int(getattr(record_type, "schema_version", SCHEMA_VERSION))


def record_to_dict(record: Record) -> dict[str, Any]:
    """Field dict with the kind first (for `hcops inspect` and landing)."""
    return {
        "kind": record.kind,
        **{f.name: getattr(record, f.name) for f in dataclasses.fields(record)},
    }


@dataclass(frozen=True, slots=True)
class ScheduleSlot:
    """One FHIR R4 Slot (as of one version): a bookable interval of a Schedule, busy or free.
    Schedule occupancy = busy minutes over the minutes of all slots of a schedule and day."""

    kind: ClassVar[str] = "schedule_slot"
    key_fields: ClassVar[tuple[str, ...]] = (
        "facility_code",
        "slot_id",
        "version_id",
        "last_updated",
        "status",
    )

    slot_id: str  # Slot.id
    schedule_id: str  # Slot.schedule reference Schedule/<id>
    status: str  # busy | free | busy-unavailable | busy-tentative | entered-in-error
    start_time: dt.datetime  # Slot.start (naive UTC)
    end_time: dt.datetime  # Slot.end (naive UTC)
    duration_minutes: int  # end - start
    overbooked: bool | None  # Slot.overbooked
    service_code: str | None  # serviceType coding of the CPT / HCPCS system
    facility_code: str | None  # the folder after fhir/ in the landing path
    version_id: str | None  # meta.versionId
    last_updated: dt.datetime | None  # meta.lastUpdated (naive UTC)


@dataclass(frozen=True, slots=True)
class ProviderSchedule:
    """One FHIR R4 Schedule (as of one version): the container of a provider's slots at a
    location over its planning horizon."""

    kind: ClassVar[str] = "provider_schedule"
    key_fields: ClassVar[tuple[str, ...]] = (
        "facility_code",
        "schedule_id",
        "version_id",
        "last_updated",
        "active",
    )

    schedule_id: str  # Schedule.id
    active: bool | None  # Schedule.active
    provider_npi: str | None  # Practitioner actor: us-npi identifier, else a 10-digit id
    location_code: str | None  # Location actor id
    horizon_start: dt.datetime | None  # planningHorizon.start (naive UTC)
    horizon_end: dt.datetime | None  # planningHorizon.end (naive UTC)
    facility_code: str | None  # the folder after fhir/ in the landing path
    version_id: str | None  # meta.versionId
    last_updated: dt.datetime | None  # meta.lastUpdated (naive UTC)


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiry:
    """The X12 claim status exchange (005010X212): one claim or line asked about by a 276,
    or one status (STC01 / STC10 / STC11) of a 277 response at its HL level (information
    receiver, provider, claim, service line). Not the 277CA acknowledgment (claim_status):
    here TRN02 is the inquirer's trace and REF*EJ the patient account number (= CLM01)."""

    kind: ClassVar[str] = "claim_status_inquiry"
    schema_version: ClassVar[int] = 2  # v2: group_created_at
    key_fields: ClassVar[tuple[str, ...]] = (
        "transaction_set_id",
        "trace_number",
        "level",
        "line_number",
        "provider_id",
        "category_code",
        "status_code",
        "entity_code",
        "status_date",
        "sender_id",
        "interchange_control_number",
        "transaction_control_number",
    )

    transaction_set_id: str  # ST01: 276 inquiry, 277 response
    trace_number: str  # TRN02 of the level (2200B-E); a 277 echoes the 276's claim trace
    level: str  # receiver | provider | claim | line (HL level, or SVC loop 2210 / 2220)
    line_number: int | None  # 1-based position of the SVC within its claim (level line)
    patient_account_number: str | None  # REF*EJ (= 837 CLM01)
    payer_claim_number: str | None  # REF*1K
    category_code: str | None  # STC0x-1: F* finalized, P* pending, R* request, E* error; 276: null
    status_code: str | None  # STC0x-2 (claim status code)
    entity_code: str | None  # STC0x-3
    status_date: dt.date | None  # STC02
    charge_amount: Decimal | None  # STC04 (276: AMT*T3); line: SVC02
    paid_amount: Decimal | None  # STC05; line: SVC03
    adjudication_date: dt.date | None  # STC06
    payment_date: dt.date | None  # STC08 check issue / EFT date
    check_number: str | None  # STC09 (= 835 TRN02)
    procedure_code: str | None  # SVC01-2 (level line)
    service_date_from: dt.date | None  # DTP*472 of the claim / line
    service_date_to: dt.date | None
    payer_id: str | None  # 2100A NM1*PR09
    provider_id: str | None  # 2100C NM1*1P09 (NPI when qualifier XX)
    report_date: dt.date | None  # BHT04
    sender_id: str  # ISA06
    interchange_control_number: str  # ISA13
    transaction_control_number: str  # ST02
    # when the sender created the functional group, on its clock: X12 states no zone
    # (decision 0031); None in records of v1
    group_created_at: dt.datetime | None = None  # GS04 + GS05, naive as written


# kinds added after the tuple above was fixed (appended so the file's order stays stable)
RECORD_TYPES = (*RECORD_TYPES, ScheduleSlot, ProviderSchedule, ClaimStatusInquiry)
RECORD_TYPES_BY_KIND.update({t.kind: t for t in RECORD_TYPES})
