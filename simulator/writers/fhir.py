"""FHIR R4 bulk export (NDJSON) of the acquired facilities on a FHIR scheduling system:
`<facility>/<YYYY-MM-DD>/Appointment.ndjson`, `Slot.ndjson`, `Schedule.ndjson` per export day.

- Appointment.ndjson: an incremental export (`_since` the previous day): for every appointment
  changed that day, its version as of the day's last change (`meta.versionId` = the number of
  that change in the appointment's history, `meta.lastUpdated` = its time). `created` = booking
  time; status booked / arrived / fulfilled / cancelled / noshow; identifier: the visit number
  (`urn:hcops:visit`, = 837 CLM01) and the appointment id (`urn:hcops:appointment`).
- Slot.ndjson: the final schedule of that service day: one `busy` slot per appointment kept
  (not cancelled) and `free` slots for the gaps of each provider's template sessions, so the
  slots of a day add up to the template minutes (schedule occupancy's denominator).
- Schedule.ndjson: one Schedule per provider working that day (actor: Practitioner, Location).

Times are local (America/New_York) with their UTC offset. Written only where non-empty.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from simulator.clock import NETWORK_ZONE
from simulator.model import Appointment, SchedulingEvent, Simulation, TemplateSession
from simulator.network import Network

ZONE = NETWORK_ZONE
VISIT_SYSTEM = "urn:hcops:visit"
APPOINTMENT_SYSTEM = "urn:hcops:appointment"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
CANCEL_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
# simulator reason code -> FHIR R4 appointment-cancellation-reason code
CANCEL_CODES = {"PATREQ": "pat", "PROVUNAV": "prov", "FEELBTR": "pat-fb", "INSUR": "oth-fin",
                "WEATHER": "oth-weath", "TRANSP": "pat-mt"}


def instant(value: dt.datetime) -> str:
    return value.replace(tzinfo=ZONE).isoformat()


def fhir_status(event: SchedulingEvent) -> str:
    if event.status == "Arrived":
        return "arrived"
    return {"S14": "fulfilled", "S15": "cancelled", "S26": "noshow"}.get(event.trigger, "booked")


def slot_id(appointment: Appointment, event: SchedulingEvent) -> str:
    return f"{appointment.appointment_id}-{event.slot.start:%Y%m%d%H%M}"


def appointment_resource(appointment: Appointment, index: int,
                         network: Network) -> dict[str, Any]:
    event = appointment.events[index]
    slot = event.slot
    service = network.service(appointment.service_code)
    provider = network.provider(appointment.provider_npi)
    patient = appointment.patient
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": appointment.appointment_id,
        "meta": {"versionId": str(index + 1), "lastUpdated": instant(event.time)},
        "identifier": [{"system": VISIT_SYSTEM, "value": appointment.visit_number},
                       {"system": APPOINTMENT_SYSTEM, "value": appointment.appointment_id}],
        "status": fhir_status(event),
    }
    if event.trigger == "S15" and event.reason:
        code = CANCEL_CODES[event.reason[0]]
        resource["cancelationReason"] = {"coding": [{"system": CANCEL_SYSTEM, "code": code}],
                                         "text": event.reason[1]}
    resource.update({
        "serviceType": [{"coding": [{"system": CPT_SYSTEM, "code": service.code,
                                     "display": service.description}]}],
        "start": instant(slot.start),
        "end": instant(slot.end),
        "minutesDuration": slot.minutes,
        "slot": [{"reference": f"Slot/{slot_id(appointment, event)}"}],
        "created": instant(appointment.booked_at),
        "participant": [
            {"actor": {"reference": f"Patient/{patient.mrn}",
                       "display": f"{patient.given} {patient.family}"},
             "required": "required", "status": "accepted"},
            {"type": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code": "PPRF"}]}],
             "actor": {"reference": f"Practitioner/{provider.npi}",
                       "identifier": {"system": NPI_SYSTEM, "value": provider.npi},
                       "display": provider.name},
             "required": "required", "status": "accepted"},
            {"actor": {"reference": f"Location/{appointment.facility_code}-{slot.room}",
                       "display": f"{slot.department} {slot.room}"},
             "required": "required", "status": "accepted"},
        ],
    })
    return resource


def schedule_id(session: TemplateSession) -> str:
    return f"{session.facility_code}-{session.provider_npi}"


def _slot(ident: str, session: TemplateSession, start: dt.datetime, end: dt.datetime,
          status: str, stamp: dt.datetime) -> dict[str, Any]:
    return {"resourceType": "Slot", "id": ident,
            "meta": {"lastUpdated": instant(stamp)},
            "schedule": {"reference": f"Schedule/{schedule_id(session)}"},
            "status": status, "start": instant(start), "end": instant(end)}


def day_slots(sessions: list[TemplateSession], kept: list[Appointment],
              stamp: dt.datetime) -> list[dict[str, Any]]:
    """Busy slots of the appointments kept and free slots filling each session's gaps."""
    slots = []
    for session in sessions:
        inside = sorted((a for a in kept if a.provider_npi == session.provider_npi
                         and session.start <= a.slot.start < session.end),
                        key=lambda a: a.slot.start)
        cursor = session.start
        for appointment in inside:
            if appointment.slot.start > cursor:
                slots.append(_slot(f"{schedule_id(session)}-{cursor:%Y%m%d%H%M}-free", session,
                                   cursor, appointment.slot.start, "free", stamp))
            busy = _slot(slot_id(appointment, appointment.events[-1]), session,
                         appointment.slot.start, appointment.slot.end, "busy", stamp)
            slots.append(busy)
            cursor = appointment.slot.end
        if cursor < session.end:
            slots.append(_slot(f"{schedule_id(session)}-{cursor:%Y%m%d%H%M}-free", session,
                               cursor, session.end, "free", stamp))
    return slots


def schedule_resource(session: TemplateSession, network: Network, day: dt.date,
                      stamp: dt.datetime) -> dict[str, Any]:
    provider = network.provider(session.provider_npi)
    return {"resourceType": "Schedule", "id": schedule_id(session),
            "meta": {"lastUpdated": instant(stamp)}, "active": True,
            "actor": [{"reference": f"Practitioner/{provider.npi}",
                       "identifier": {"system": NPI_SYSTEM, "value": provider.npi},
                       "display": provider.name},
                      {"reference": f"Location/{session.facility_code}-{session.room}"}],
            "planningHorizon": {
                "start": instant(dt.datetime.combine(day, dt.time())),
                "end": instant(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))}}


def ndjson(resources: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, separators=(",", ":"), sort_keys=False) + "\n"
                   for r in resources)


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    changes: dict[tuple[str, dt.date], dict[str, tuple[dt.datetime, int, Appointment]]] = (
        defaultdict(dict))
    kept: dict[tuple[str, dt.date], list[Appointment]] = defaultdict(list)
    for appointment in simulation.appointments:
        if appointment.channel != "fhir":
            continue
        for index, event in enumerate(appointment.events):  # the day's last version wins
            changes[(appointment.facility_code, event.time.date())][
                appointment.appointment_id] = (event.time, index, appointment)
        if appointment.final_status != "cancelled":
            kept[(appointment.facility_code, appointment.slot.start.date())].append(appointment)
    sessions: dict[tuple[str, dt.date], list[TemplateSession]] = defaultdict(list)
    fhir_facilities = {a.facility_code for a in simulation.appointments if a.channel == "fhir"}
    for session in simulation.templates:
        if session.facility_code in fhir_facilities:
            sessions[(session.facility_code, session.start.date())].append(session)
    files = {}
    for facility_code, day in sorted(set(changes) | set(sessions)):
        folder = f"{facility_code}/{day.isoformat()}"
        versions = sorted(changes.get((facility_code, day), {}).values(),
                          key=lambda v: (v[0], v[2].appointment_id))
        if versions:
            files[f"{folder}/Appointment.ndjson"] = ndjson(
                [appointment_resource(a, index, network) for _, index, a in versions])
        day_sessions = sessions.get((facility_code, day), [])
        if day_sessions:
            stamp = dt.datetime.combine(day, dt.time(23, 30))
            files[f"{folder}/Slot.ndjson"] = ndjson(
                day_slots(day_sessions, kept.get((facility_code, day), []), stamp))
            unique = {schedule_id(s): s for s in day_sessions}
            files[f"{folder}/Schedule.ndjson"] = ndjson(
                [schedule_resource(s, network, day, stamp) for _, s in sorted(unique.items())])
    return files
