"""FHIR R4 scheduling resources -> AppointmentEvent, in the SIU event vocabulary of `hl7_siu`
(so HL7 and FHIR land in one `raw.appointment_event` table and one dbt sequence), and Slot /
Schedule -> ScheduleSlot / ProviderSchedule.

Input: an NDJSON bulk export (one resource per line: `Appointment.ndjson`, `Slot.ndjson`,
`Schedule.ndjson`), or one JSON document (a single resource or a Bundle, e.g. a searchset
page of `ingest.fhir_poller`; a Bundle's Appointment, Slot and Schedule entries are read, its
other entries skipped). Plain JSON, no FHIR model library at
runtime (fhir.resources is a dev dependency; the tests use its R4B models as a cross-check).

The landing path gives the facility: `fhir/<FACILITY>/<YYYY-MM-DD>/Appointment.ndjson`
(`ingest.pipeline.land_source` passes `fhir/<relative path>` as `filename`); else an
Appointment extension whose url ends in `facility`; else none.

Mapping rule (one Appointment *version* -> one or two events)
--------------------------------------------------------------
An incremental export holds, per day, each appointment changed that day once, as of its last
change that day, so the version that booked an appointment may never be delivered (booked and
changed the same day). Each line is therefore mapped from the resource alone:

* **Booking (S12)**, status `Booked`, event_time = `created` (else `meta.lastUpdated`),
  message control id `<id>/_history/1`:
  - for a version with `meta.versionId` "1" (or no versionId) whose status is proposed /
    pending / booked / waitlist: that version *is* the booking;
  - for any later version (or a version with another status) that carries `created`: the
    booking is implied by `created` and emitted too, under the same key `<id>/_history/1`, so
    it lands once (a copy re-stated by a later version counts as a duplicate).
* **The version's own event**, event_time = `meta.lastUpdated` (else the Bundle's timestamp),
  message control id `<id>/_history/<versionId>`:

  | status | event | status text |
  |---|---|---|
  | proposed / pending / booked / waitlist, later version | S13 (reschedule / modify) | Booked ... |
  | arrived, checked-in | S14 | Arrived |
  | fulfilled | S14 | Complete |
  | cancelled | S15 (event_reason = cancelationReason code) | Cancelled |
  | noshow | S26 | Noshow |
  | entered-in-error | S17 | Deleted |

  (A booked line cannot show whether its start moved, so every later booked version is an
  S13; the dbt sequence takes start_time from the latest event.)

Fields: appointment_id = `id`; sending_facility = facility_code = the facility; start_time /
duration_minutes from `start` / `end` (else `minutesDuration`); provider_npi = the Practitioner
participant's identifier of system `http://hl7.org/fhir/sid/us-npi` (else a 10-digit
Practitioner id); location_code = the Location participant's id; service_code = the
serviceType coding of the CPT / HCPCS system; visit_number = the identifier of system
`urn:hcops:visit` (`HCOPS_FHIR_VISIT_SYSTEMS`, comma separated, overrides; else an identifier
typed `VN`); patient_id = the Patient participant's id.

Timestamps: instants with an offset become naive UTC (as `hl7_siu` does for offset
timestamps); a value without offset is kept as is; a date alone is midnight.

Slot and Schedule (one record per resource version, as found)
--------------------------------------------------------------
* Slot -> ScheduleSlot: slot_id = `id`, schedule_id = the `schedule` reference
  (`Schedule/<id>`), status (busy / free / busy-unavailable / busy-tentative /
  entered-in-error), start_time / end_time (naive UTC), duration_minutes, overbooked,
  service_code (serviceType of the CPT / HCPCS system), facility_code (as above),
  version_id / last_updated from `meta`.
* Schedule -> ProviderSchedule: schedule_id = `id`, active, provider_npi and location_code
  from the actors (as for an Appointment participant), horizon_start / horizon_end from
  `planningHorizon`, facility_code, version_id / last_updated.

Dead letters (the other lines go on): a line that is not UTF-8 (EncodingError) or not a JSON
object (InvalidJson); a resource that is not an Appointment, Slot, Schedule or Bundle, or a
Bundle without one (UnsupportedResource); an Appointment without id / status / any event
time, a Slot without id / schedule / status / start / end, a Schedule without id
(MissingElement); an unknown status, an unreadable time, a Slot ending before it starts
(InvalidValue).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from ingest.records import AppointmentEvent, DeadLetter, ProviderSchedule, Record, ScheduleSlot

SOURCE = "fhir"
PARSER_VERSION = "1.1.0"  # 1.1: Slot and Schedule records

VISIT_SYSTEMS_ENV = "HCOPS_FHIR_VISIT_SYSTEMS"
DEFAULT_VISIT_SYSTEMS = ("urn:hcops:visit",)
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CPT_SYSTEMS = (
    "http://www.ama-assn.org/go/cpt",
    "urn:oid:2.16.840.1.113883.6.12",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
)
_BOOKING_STATUSES = {"proposed": "Pending", "pending": "Pending", "booked": "Booked",
                     "waitlist": "Waitlist"}  # fmt: skip
_STATUS_EVENTS = {
    "arrived": ("S14", "Arrived"),
    "checked-in": ("S14", "Arrived"),
    "fulfilled": ("S14", "Complete"),
    "cancelled": ("S15", "Cancelled"),
    "noshow": ("S26", "Noshow"),
    "entered-in-error": ("S17", "Deleted"),
}
SLOT_STATUSES = frozenset({"busy", "free", "busy-unavailable", "busy-tentative",
                           "entered-in-error"})  # fmt: skip
_DATETIME = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


class FhirError(ValueError):
    def __init__(self, error_class: str, reason: str) -> None:
        super().__init__(reason)
        self.error_class = error_class


def parse(data: bytes, filename: str) -> Iterator[Record | DeadLetter]:
    """AppointmentEvents of an NDJSON / JSON file; anything unusable as dead letters. Never
    raises."""
    facility = facility_from_path(filename)
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.strip()
    if not stripped:
        yield DeadLetter(SOURCE, "MissingElement", "file is empty: no FHIR resource", text, 0)
        return
    document = _whole_document(data)
    if document is not None:
        yield from _document(document, stripped, facility)
        return
    for index, raw in enumerate(data.split(b"\n")):
        if raw.strip():
            yield from _line(raw, index, facility)


def facility_from_path(filename: str) -> str | None:
    """`fhir/<FACILITY>/...` (the folder after the last `fhir` component), else None."""
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    for at in range(len(parts) - 3, -1, -1):
        if parts[at] == SOURCE:
            return parts[at + 1]
    return None


def _whole_document(data: bytes) -> Any:
    """The file as one JSON value when it is one (pretty-printed or a single line)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def _document(document: Any, text: str, facility: str | None) -> Iterator[Record | DeadLetter]:
    if not isinstance(document, dict):
        reason = f"file is JSON but a {type(document).__name__}, not a FHIR resource object"
        yield DeadLetter(SOURCE, "InvalidJson", reason, text, 0)
        return
    yield from _resource(document, 0, text, facility, None)


def _line(raw: bytes, index: int, facility: str | None) -> Iterator[Record | DeadLetter]:
    try:
        line = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        reason = f"line {index + 1}: not UTF-8 ({exc.reason} at byte {exc.start})"
        yield DeadLetter(SOURCE, "EncodingError", reason, raw.decode("latin-1").strip(), index)
        return
    try:
        resource = json.loads(line)
    except ValueError as exc:
        reason = f"line {index + 1}: not JSON ({exc}); starts with {line[:40]!r}"
        yield DeadLetter(SOURCE, "InvalidJson", reason, line, index)
        return
    if not isinstance(resource, dict):
        reason = f"line {index + 1}: a JSON {type(resource).__name__}, not a resource object"
        yield DeadLetter(SOURCE, "InvalidJson", reason, line, index)
        return
    yield from _resource(resource, index, line, facility, None, where=f"line {index + 1}")


def _resource(
    resource: dict[str, Any],
    index: int,
    payload: str,
    facility: str | None,
    bundle_time: dt.datetime | None,
    where: str = "resource",
) -> Iterator[Record | DeadLetter]:
    kind = resource.get("resourceType")
    if kind in ("Appointment", "Slot", "Schedule"):
        try:
            if kind == "Appointment":
                yield from appointment_events(resource, facility, bundle_time)
            elif kind == "Slot":
                yield slot_record(resource, facility)
            else:
                yield schedule_record(resource, facility)
        except FhirError as exc:
            reason = f"{where}: {kind} {resource.get('id')!r}: {exc}"
            yield DeadLetter(SOURCE, exc.error_class, reason, payload, index)
        except Exception as exc:  # noqa: BLE001 - a bad resource must not stop the file
            reason = f"{where}: {kind} {resource.get('id')!r}: reader failed: {exc!r}"
            yield DeadLetter(SOURCE, "InvalidValue", reason, payload, index)
    elif kind == "Bundle":
        yield from _bundle(resource, index, payload, facility, where)
    elif kind is None:
        reason = f"{where}: JSON object without resourceType (keys {sorted(resource)[:6]})"
        yield DeadLetter(SOURCE, "MissingElement", reason, payload, index)
    else:
        reason = (
            f"{where}: resourceType {kind!r} (id {resource.get('id')!r}) is not an "
            "Appointment, Slot, Schedule or Bundle"
        )
        yield DeadLetter(SOURCE, "UnsupportedResource", reason, payload, index)


def _bundle(
    bundle: dict[str, Any], index: int, payload: str, facility: str | None, where: str
) -> Iterator[Record | DeadLetter]:
    entries = [e.get("resource") for e in bundle.get("entry") or [] if isinstance(e, dict)]
    resources = [r for r in entries if isinstance(r, dict)]
    kinds_read = {"Appointment", "Slot", "Schedule"}
    wanted = [(n, r) for n, r in enumerate(resources) if r.get("resourceType") in kinds_read]
    if not wanted:
        kinds = sorted({str(r.get("resourceType")) for r in resources})
        reason = (
            f"{where}: Bundle {bundle.get('id')!r} ({len(resources)} entries: "
            f"{', '.join(kinds[:8]) or 'none'}) holds no Appointment, Slot or Schedule"
        )
        yield DeadLetter(SOURCE, "UnsupportedResource", reason, payload, index)
        return
    try:
        bundle_time = instant(
            bundle.get("timestamp") or (bundle.get("meta") or {}).get("lastUpdated"),
            "Bundle.timestamp",
        )
    except FhirError:
        bundle_time = None
    for number, resource in wanted:
        at = f"{where}: Bundle entry {number}"
        yield from _resource(resource, index, json.dumps(resource), facility, bundle_time, where=at)


def appointment_events(
    resource: dict[str, Any], facility: str | None = None, fallback_time: dt.datetime | None = None
) -> list[AppointmentEvent]:
    """The canonical events of one Appointment version (see the module docstring)."""
    appointment_id = _text(resource.get("id"))
    if not appointment_id:
        raise FhirError("MissingElement", "Appointment has no id")
    status = _text(resource.get("status"))
    if not status:
        raise FhirError("MissingElement", "Appointment has no status")
    if status not in _BOOKING_STATUSES and status not in _STATUS_EVENTS:
        raise FhirError("InvalidValue", f"status {status!r} is not an R4 AppointmentStatus")
    meta = resource.get("meta") if isinstance(resource.get("meta"), dict) else {}
    version = _text(meta.get("versionId"))
    last_updated = instant(meta.get("lastUpdated"), "meta.lastUpdated")
    created = instant(resource.get("created"), "created")
    facility = facility or _facility_extension(resource)
    start = instant(resource.get("start"), "start")
    end = instant(resource.get("end"), "end")
    common = {
        "appointment_id": appointment_id,
        "sending_facility": facility,
        "start_time": start,
        "duration_minutes": _duration(start, end, resource.get("minutesDuration")),
        "facility_code": facility,
        "location_code": _participant_id(resource, "Location"),
        "provider_npi": _npi(resource),
        "service_code": _service_code(resource),
        "visit_number": _visit_number(resource),
        "patient_id": _participant_id(resource, "Patient"),
    }
    booking_key = f"{appointment_id}/_history/1"
    is_first = version in ("", "1")
    events: list[AppointmentEvent] = []
    if status in _BOOKING_STATUSES and is_first:
        booked_at = created or last_updated or fallback_time
        if booked_at is None:
            raise FhirError(
                "MissingElement",
                f"booking ({status}) has no event time: neither created nor meta.lastUpdated",
            )
        events.append(
            AppointmentEvent(
                event_type="S12", event_time=booked_at, message_control_id=booking_key,
                status=_BOOKING_STATUSES[status], event_reason=None, **common,
            )
        )  # fmt: skip
        if not (version == "" and last_updated and created and last_updated > created):
            return events
    elif created is not None:  # the booking, implied by `created`, lands once by its key
        events.append(
            AppointmentEvent(
                event_type="S12", event_time=created, message_control_id=booking_key,
                status="Booked", event_reason=None, **common,
            )
        )  # fmt: skip
    event_time = last_updated or fallback_time
    if event_time is None:
        raise FhirError(
            "MissingElement",
            f"version {version or '?'} ({status}) has no meta.lastUpdated (nor a Bundle "
            "timestamp): no event time",
        )
    if status in _BOOKING_STATUSES:
        event_type, status_text = "S13", _BOOKING_STATUSES[status]
    else:
        event_type, status_text = _STATUS_EVENTS[status]
    control_id = f"{appointment_id}/_history/{version or event_time.isoformat()}"
    if control_id == booking_key and events:
        control_id = f"{control_id}#{event_type}"
    reason = _cancel_reason(resource) if event_type == "S15" else None
    events.append(
        AppointmentEvent(
            event_type=event_type, event_time=event_time, message_control_id=control_id,
            status=status_text, event_reason=reason, **common,
        )
    )  # fmt: skip
    return events


def slot_record(resource: dict[str, Any], facility: str | None = None) -> ScheduleSlot:
    """The ScheduleSlot of one Slot version (see the module docstring)."""
    slot_id = _required(resource.get("id"), "Slot has no id")
    schedule = resource.get("schedule")
    schedule_id = _reference_id(schedule, "Schedule") if isinstance(schedule, dict) else None
    if not schedule_id:
        raise FhirError("MissingElement", "Slot has no schedule reference (Schedule/<id>)")
    status = _required(resource.get("status"), "Slot has no status")
    if status not in SLOT_STATUSES:
        raise FhirError("InvalidValue", f"status {status!r} is not an R4 SlotStatus")
    start = instant(resource.get("start"), "start")
    end = instant(resource.get("end"), "end")
    if start is None or end is None:
        raise FhirError("MissingElement", "Slot needs both start and end")
    if end < start:
        raise FhirError("InvalidValue", f"Slot ends ({end}) before it starts ({start})")
    overbooked = resource.get("overbooked")
    version_id, last_updated = _meta(resource)
    return ScheduleSlot(
        slot_id=slot_id,
        schedule_id=schedule_id,
        status=status,
        start_time=start,
        end_time=end,
        duration_minutes=int((end - start).total_seconds() // 60),
        overbooked=overbooked if isinstance(overbooked, bool) else None,
        service_code=_service_code(resource),
        facility_code=facility or _facility_extension(resource),
        version_id=version_id,
        last_updated=last_updated,
    )


def schedule_record(resource: dict[str, Any], facility: str | None = None) -> ProviderSchedule:
    """The ProviderSchedule of one Schedule version (see the module docstring)."""
    schedule_id = _required(resource.get("id"), "Schedule has no id")
    actors = [a for a in resource.get("actor") or [] if isinstance(a, dict)]
    horizon = resource.get("planningHorizon")
    horizon = horizon if isinstance(horizon, dict) else {}
    active = resource.get("active")
    version_id, last_updated = _meta(resource)
    return ProviderSchedule(
        schedule_id=schedule_id,
        active=active if isinstance(active, bool) else None,
        provider_npi=_actor_npi(actors),
        location_code=next(filter(None, (_reference_id(a, "Location") for a in actors)), None),
        horizon_start=instant(horizon.get("start"), "planningHorizon.start"),
        horizon_end=instant(horizon.get("end"), "planningHorizon.end"),
        facility_code=facility or _facility_extension(resource),
        version_id=version_id,
        last_updated=last_updated,
    )


def _required(value: Any, missing: str) -> str:
    text = _text(value)
    if not text:
        raise FhirError("MissingElement", missing)
    return text


def _meta(resource: dict[str, Any]) -> tuple[str | None, dt.datetime | None]:
    """meta.versionId and meta.lastUpdated."""
    meta = resource.get("meta") if isinstance(resource.get("meta"), dict) else {}
    last_updated = instant(meta.get("lastUpdated"), "meta.lastUpdated")
    return _text(meta.get("versionId")) or None, last_updated


def instant(value: Any, where: str) -> dt.datetime | None:
    """A FHIR date / dateTime / instant as a naive datetime (UTC when it has an offset)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FhirError("InvalidValue", f"{where} {value!r} is not a FHIR dateTime string")
    match = _DATETIME.match(value.strip())
    if not match:
        raise FhirError("InvalidValue", f"{where} {value!r} is not a FHIR dateTime")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        result = dt.datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
            int(second or 0), int(((fraction or "") + "000000")[:6]),
        )  # fmt: skip
    except ValueError:
        raise FhirError("InvalidValue", f"{where} {value!r} is not a valid date / time") from None
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        result -= sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return result


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int) else ""


def _duration(start: dt.datetime | None, end: dt.datetime | None, minutes: Any) -> int | None:
    if start and end and end >= start:
        return int((end - start).total_seconds() // 60)
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes >= 0:
        return minutes
    return None


def _participants(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for participant in resource.get("participant") or []:
        if isinstance(participant, dict) and isinstance(participant.get("actor"), dict):
            yield participant["actor"]


def _reference_id(actor: dict[str, Any], kind: str) -> str | None:
    reference = _text(actor.get("reference"))
    marker = f"{kind}/"
    if marker not in reference:
        return None
    tail = reference.rsplit(marker, 1)[1].split("/_history/")[0]
    return tail or None


def _participant_id(resource: dict[str, Any], kind: str) -> str | None:
    for actor in _participants(resource):
        if found := _reference_id(actor, kind):
            return found
    return None


def _npi(resource: dict[str, Any]) -> str | None:
    return _actor_npi(_participants(resource))


def _actor_npi(actors: Iterable[dict[str, Any]]) -> str | None:
    """The NPI of the Practitioner actor: its us-npi identifier, else a 10-digit id."""
    fallback = None
    for actor in actors:
        reference_id = _reference_id(actor, "Practitioner")
        identifier = actor.get("identifier")
        if isinstance(identifier, dict) and identifier.get("system") == NPI_SYSTEM:
            value = _text(identifier.get("value"))
            if value:
                return value
        if reference_id and fallback is None and re.fullmatch(r"\d{10}", reference_id):
            fallback = reference_id
    return fallback


def _codings(concepts: Any) -> Iterator[dict[str, Any]]:
    for concept in concepts if isinstance(concepts, list) else [concepts]:
        if isinstance(concept, dict):
            for coding in concept.get("coding") or []:
                if isinstance(coding, dict):
                    yield coding


def _service_code(resource: dict[str, Any]) -> str | None:
    for coding in _codings(resource.get("serviceType")):
        if coding.get("system") in CPT_SYSTEMS and _text(coding.get("code")):
            return _text(coding.get("code"))
    return None


def _cancel_reason(resource: dict[str, Any]) -> str | None:
    reason = resource.get("cancelationReason")
    for coding in _codings(reason):
        if code := _text(coding.get("code")):
            return code
    return (_text(reason.get("text")) or None) if isinstance(reason, dict) else None


def visit_systems() -> tuple[str, ...]:
    configured = os.environ.get(VISIT_SYSTEMS_ENV, "")
    systems = tuple(s.strip() for s in configured.split(",") if s.strip())
    return systems or DEFAULT_VISIT_SYSTEMS


def _visit_number(resource: dict[str, Any]) -> str | None:
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict)]
    for system in visit_systems():
        for identifier in identifiers:
            if identifier.get("system") == system and _text(identifier.get("value")):
                return _text(identifier.get("value"))
    for identifier in identifiers:
        if any(c.get("code") == "VN" for c in _codings(identifier.get("type"))):
            return _text(identifier.get("value")) or None
    return None


def _facility_extension(resource: dict[str, Any]) -> str | None:
    for extension in resource.get("extension") or []:
        if isinstance(extension, dict) and str(extension.get("url", "")).endswith("facility"):
            value = extension.get("valueString") or extension.get("valueCode")
            if value is None and isinstance(extension.get("valueIdentifier"), dict):
                value = extension["valueIdentifier"].get("value")
            if _text(value):
                return _text(value)
    return None
