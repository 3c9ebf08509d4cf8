"""Contract tests: the committed JSON Schemas are the dataclasses' schemas, parsed records
satisfy them, breaking changes are caught, older versions upcast."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ingest import contracts, upcast
from ingest.contracts.__main__ import main as contracts_main
from ingest.formats import PARSERS
from ingest.records import (
    RECORD_TYPES,
    AppointmentEvent,
    DeadLetter,
    RemittanceClaim,
    RemittanceLine,
    schema_version_of,
)


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda t: t.kind)
def test_committed_schema_is_the_dataclass_schema(record_type: type) -> None:
    path = contracts.schema_path(record_type.kind, schema_version_of(record_type))
    assert path.exists(), f"{path.name} is not committed: run python -m ingest.contracts"
    committed = json.loads(path.read_text())
    generated = contracts.schema_for(record_type)
    breaking = contracts.breaking_changes(committed, generated)
    assert not breaking, f"BREAKING change of {path.name}: {breaking}; bump the version"
    assert committed == generated, f"{path.name} is stale: run python -m ingest.contracts"


def test_check_command_passes_on_the_repository() -> None:
    assert contracts_main(["--check"]) == 0


@pytest.mark.parametrize("key", sorted(contracts.committed()), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_every_committed_file_is_a_valid_2020_12_schema(key: tuple[str, int]) -> None:
    schema = contracts.committed()[key]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == contracts.DIALECT
    assert (schema["x-kind"], schema["x-version"]) == key


def _variant(
    base: type, drop: str = "", add: tuple[str, object] | None = None, **retype: object
) -> type:
    """A copy of a record dataclass with one field dropped / added / retyped."""
    hints = typing.get_type_hints(base)
    fields = [
        (f.name, retype.get(f.name, hints[f.name]))
        for f in dataclasses.fields(base)
        if f.name != drop
    ]
    if add:
        fields.append(add)
    return dataclasses.make_dataclass(
        "Variant",
        fields,
        namespace={"kind": base.kind, "key_fields": base.key_fields},  # type: ignore[attr-defined]
    )


CURRENT = contracts.load_schema("appointment_event")


@pytest.mark.parametrize(
    ("variant", "words"),
    [
        (_variant(AppointmentEvent, drop="visit_number"), "'visit_number' removed"),
        (
            _variant(AppointmentEvent, drop="patient_id", add=("patient_mrn", str | None)),
            "'patient_id' removed",
        ),
        (_variant(AppointmentEvent, duration_minutes=str | None), "'duration_minutes' retyped"),
        (_variant(AppointmentEvent, event_time=dt.date), "'event_time' retyped"),
        (_variant(AppointmentEvent, status=str), "'status' is now not nullable"),
        (_variant(AppointmentEvent, add=("room", str)), "'room' added without null"),
    ],
)
def test_breaking_changes_are_reported(variant: type, words: str) -> None:
    problems = contracts.breaking_changes(CURRENT, contracts.schema_for(variant))
    assert any(words in p for p in problems), problems


def test_an_added_nullable_field_is_not_breaking() -> None:
    variant = _variant(AppointmentEvent, add=("room", str | None))
    assert contracts.breaking_changes(CURRENT, contracts.schema_for(variant)) == []


def test_changed_key_fields_break() -> None:
    variant = dataclasses.make_dataclass(
        "Variant",
        list(typing.get_type_hints(AppointmentEvent).items()),
        namespace={"kind": "appointment_event", "key_fields": ("message_control_id",)},
    )
    problems = contracts.breaking_changes(CURRENT, contracts.schema_for(variant))
    assert problems and "key fields changed" in problems[0]


# -- records satisfy their contract ---------------------------------------------------------


def test_parsed_corpus_records_satisfy_their_schema(corpus_dir: Path) -> None:
    schemas = {t.kind: contracts.schema_for(t) for t in RECORD_TYPES}
    checked: dict[str, int] = {}
    for source in ("hl7_siu", "x12_837", "x12_277", "x12_835", "fhir"):
        for path in sorted((corpus_dir / source).iterdir()):
            for item in PARSERS[source].parse(path.read_bytes(), path.name):
                if isinstance(item, DeadLetter):
                    continue
                errors = contracts.validate(contracts.to_json(item), schemas[item.kind])
                assert not errors, f"{path.name}: {item.kind}: {errors}"
                checked[item.kind] = checked.get(item.kind, 0) + 1
    assert {
        "appointment_event",
        "claim_submission",
        "claim_status",
        "claim_status_inquiry",
        "remittance_claim",
        "schedule_slot",
        "provider_schedule",
    } <= set(checked)


def test_validation_rejects_a_wrong_instance() -> None:
    schema = contracts.load_schema("bank_deposit")
    errors = contracts.validate({"account_number": 12, "amount": "1.2.3"}, schema)
    assert any("account_number" in e for e in errors) and any("amount" in e for e in errors)
    assert any("required" in e for e in errors)


# -- upcasting ------------------------------------------------------------------------------

EVENT = AppointmentEvent(
    appointment_id="APT1",
    event_type="S15",
    event_time=dt.datetime(2026, 1, 5, 8, 30),
    message_control_id="M1",
    sending_facility="NORTH",
    status="Cancelled",
    start_time=None,
    duration_minutes=None,
    facility_code="NORTH01",
    location_code=None,
    provider_npi=None,
    service_code=None,
    visit_number="V1",
    patient_id="MRN1",
    event_reason=None,
)


def test_appointment_event_v0_upcasts_to_v1() -> None:
    current = contracts.to_json(EVENT)
    v2_fields = ("event_time_utc_offset", "start_time_utc_offset")  # v1 -> v2: test_hl7_offsets
    v1 = {k: v for k, v in current.items() if k not in v2_fields}
    v0 = {k: v for k, v in v1.items() if k != "event_reason"}
    assert contracts.validate(v0, contracts.load_schema("appointment_event", 0)) == []
    assert contracts.validate(v0, contracts.load_schema("appointment_event", 1)) != []
    lifted = upcast.upcast("appointment_event", v0, from_version=0, to_version=1)
    assert lifted == v1 and list(lifted) == list(v1)  # same fields, same order
    assert contracts.validate(lifted, contracts.load_schema("appointment_event", 1)) == []
    lifted = upcast.upcast("appointment_event", v0, from_version=0)  # on to the current version
    assert AppointmentEvent(**{**lifted, "event_time": EVENT.event_time}) == EVENT


REMIT_LINE = RemittanceLine(
    claim_id="V1", line_number=1, line_control_number="V1L1", procedure_code="99213",
    charge_amount=Decimal("150.00"), paid_amount=Decimal("0.00"), units=Decimal("1"),
    service_date=dt.date(2026, 1, 5), claim_index=1, trace_number="T1", payer_trace_id="1X",
    remark_codes="N130,M15",
)
REMIT_CLAIM = RemittanceClaim(
    claim_id="V1", status_code="4", charge_amount=Decimal("150.00"), paid_amount=Decimal("0"),
    patient_responsibility_amount=None, claim_filing_indicator="MB",
    payer_claim_control_number="PCN1", facility_type_code="11", frequency_code="1",
    service_date_from=dt.date(2026, 1, 5), service_date_to=None, claim_index=1,
    trace_number="T1", payer_trace_id="1X", payer_id="P1",
    production_date=dt.date(2026, 1, 20), payment_date=dt.date(2026, 1, 22),
    remark_codes="MA130",
)


@pytest.mark.parametrize("record", [REMIT_LINE, REMIT_CLAIM], ids=lambda r: r.kind)
def test_remittance_v1_upcasts_to_v2_without_remark_codes(record: object) -> None:
    kind = record.kind  # type: ignore[attr-defined]
    v2 = contracts.to_json(record)
    assert v2["remark_codes"] == record.remark_codes  # type: ignore[attr-defined]
    assert contracts.validate(v2, contracts.load_schema(kind, 2)) == []
    v1 = {k: v for k, v in v2.items() if k != "remark_codes"}
    assert contracts.validate(v1, contracts.load_schema(kind, 1)) == []
    lifted = upcast.upcast(kind, v1, from_version=1)
    assert list(lifted) == list(v2) and lifted["remark_codes"] is None  # none were read
    assert contracts.validate(lifted, contracts.load_schema(kind)) == []
    assert upcast.upcast(kind, v2, from_version=2) == v2


def test_every_frozen_version_has_an_upcast_path_and_no_step_breaks_it() -> None:
    frozen = contracts.committed()
    for (kind, version), schema in frozen.items():
        current = upcast.current_version(kind)
        if version == current:
            continue
        assert version < current, f"{kind}.v{version} is newer than the dataclass"
        for step in range(version, current):
            assert (kind, step) in upcast.UPCASTERS, f"no upcaster {kind} v{step} -> v{step + 1}"
        # a compatible step is allowed; a breaking one must be what its upcaster repairs
        newer = frozen[(kind, version + 1)]
        problems = contracts.breaking_changes(schema, newer)
        assert not problems or (kind, version) in upcast.UPCASTERS


def test_upcast_refuses_unknown_paths() -> None:
    with pytest.raises(upcast.UpcastError, match="cannot downcast"):
        upcast.upcast("appointment_event", {}, from_version=3)
    with pytest.raises(upcast.UpcastError, match="no upcaster"):
        upcast.upcast("claim_status", {}, from_version=0)
    assert upcast.upcast("bank_deposit", {"a": 1}, from_version=1) == {"a": 1}


GROUP_TIMED_KINDS = (
    "claim_submission",
    "claim_service_line",
    "claim_status",
    "claim_status_inquiry",
    "remittance_payment",
    "batch_acknowledgment",
    "transaction_set_acknowledgment",
)


@pytest.mark.parametrize("kind", GROUP_TIMED_KINDS)
def test_x12_v1_upcasts_to_v2_with_an_unknown_group_time(kind: str) -> None:
    """v2 added the group's creation time (GS04 / GS05, decision 0031), nullable: v1 records
    were read without it, so it is unknown, never a made-up time."""
    v1_schema, v2_schema = contracts.load_schema(kind, 1), contracts.load_schema(kind, 2)
    assert set(v2_schema["properties"]) - set(v1_schema["properties"]) == {"group_created_at"}
    assert contracts.breaking_changes(v1_schema, v2_schema) == []
    assert v2_schema["properties"]["group_created_at"]["type"] == ["string", "null"]
    v1 = {name: None for name in v1_schema["properties"]}
    lifted = upcast.upcast(kind, v1, from_version=1)
    assert list(lifted) == [*v1, "group_created_at"] and lifted["group_created_at"] is None
    assert upcast.upcast(kind, {**v1, "group_created_at": "2026-01-05T09:30:00"}, 1, 2)[
        "group_created_at"
    ] == "2026-01-05T09:30:00"  # a value already there is kept
