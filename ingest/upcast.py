"""Upcasters: lift a record's JSON form from an older contract version to the current one.

An upcaster turns version N of a kind into version N + 1; `upcast` chains them. Every frozen
older schema under `ingest/contracts/` needs an upcaster to its successor (a contract test
holds it), so anything landed or queued under an old version stays readable.

    @upcaster("appointment_event", 0)
    def _(payload): return {**payload, "event_reason": None}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.records import RECORD_TYPES_BY_KIND, schema_version_of

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UpcastError(ValueError):
    pass


def upcaster(kind: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register `fn` as the upcaster of `kind` from `from_version` to `from_version + 1`."""

    def register(fn: Upcaster) -> Upcaster:
        if (kind, from_version) in UPCASTERS:
            raise ValueError(f"an upcaster for {kind} v{from_version} is already registered")
        UPCASTERS[(kind, from_version)] = fn
        return fn

    return register


def current_version(kind: str) -> int:
    return schema_version_of(RECORD_TYPES_BY_KIND[kind])


def upcast(
    kind: str, payload: Payload, from_version: int, to_version: int | None = None
) -> Payload:
    """The payload lifted to `to_version` (default: the current version). Never mutates."""
    target = current_version(kind) if to_version is None else to_version
    if from_version > target:
        raise UpcastError(f"{kind} v{from_version} is newer than v{target}: cannot downcast")
    out = dict(payload)
    for version in range(from_version, target):
        step = UPCASTERS.get((kind, version))
        if step is None:
            raise UpcastError(f"no upcaster for {kind} v{version} -> v{version + 1}")
        out = step(out)
    return out


# -- the registry -------------------------------------------------------------------------------


@upcaster("appointment_event", 0)
def _appointment_event_v0(payload: Payload) -> Payload:
    """v1 added `event_reason` (SCH-6.1): v0 messages were read without it, so it is
    unknown (null), not empty."""
    return {**payload, "event_reason": payload.get("event_reason")}


@upcaster("appointment_event", 1)
def _appointment_event_v1(payload: Payload) -> Payload:
    """v2 added the UTC offsets of MSH-7 and of the start (decision 0028). v1 did not keep
    them, so null: a v1 HL7 time reads as the sender's wall clock, which is how the feeds known
    then wrote it (a v1 record of a sender that wrote offsets cannot be told apart). FHIR /
    vendor CSV times are UTC whatever these say."""
    return {
        **payload,
        "event_time_utc_offset": payload.get("event_time_utc_offset"),
        "start_time_utc_offset": payload.get("start_time_utc_offset"),
    }


@upcaster("remittance_claim", 1)
def _remittance_claim_v1(payload: Payload) -> Payload:
    """v2 added `remark_codes` (MOA / MIA remark codes): v1 did not read them, so none."""
    return {**payload, "remark_codes": payload.get("remark_codes")}


@upcaster("remittance_line", 1)
def _remittance_line_v1(payload: Payload) -> Payload:
    """v2 added `remark_codes` (LQ*HE): v1 did not read them, so none."""
    return {**payload, "remark_codes": payload.get("remark_codes")}


# v2 of the X12 kinds added `group_created_at` (GS04 + GS05, decision 0031): v1 did not read
# the group's creation time, so it is unknown (null)
_GROUP_TIMED_KINDS = (
    "claim_submission",
    "claim_service_line",
    "claim_status",
    "claim_status_inquiry",
    "remittance_payment",
    "batch_acknowledgment",
    "transaction_set_acknowledgment",
)


def _group_created_at_v1(payload: Payload) -> Payload:
    return {**payload, "group_created_at": payload.get("group_created_at")}


for _kind in _GROUP_TIMED_KINDS:
    upcaster(_kind, 1)(_group_created_at_v1)
