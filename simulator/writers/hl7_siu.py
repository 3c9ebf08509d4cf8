"""HL7 v2.5.1 SIU messages (S12 / S13 / S14 / S15 / S26): one file per facility and day,
messages in event-time order, segments ending with `\\r`, a `\\n` after each message."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from simulator.model import Appointment, SchedulingEvent, Simulation
from simulator.network import Network

VERSION = "2.5.1"
SEGMENT_END = "\r"
MESSAGE_END = "\n"


def ts(value: dt.datetime) -> str:
    return value.strftime("%Y%m%d%H%M%S")


def hl7_segment(name: str, fields: dict[int, str]) -> str:
    """A segment from {field number: value}; unset fields are empty."""
    values = [""] * max(fields)
    for number, value in fields.items():
        values[number - 1] = value
    return "|".join([name, *values])


def _msh(appointment: Appointment, event: SchedulingEvent, control_id: str) -> str:
    trigger = event.trigger
    return "|".join(["MSH", "^~\\&", "HCOPS_SCHED", appointment.facility_code, "HCOPS",
                     "HCOPS", ts(event.time), "", f"SIU^{trigger}^SIU_{trigger}", control_id,
                     "P", VERSION])


def _sch(appointment: Appointment, event: SchedulingEvent) -> str:
    slot = event.slot
    reason = f"{event.reason[0]}^{event.reason[1]}" if event.reason else ""
    return hl7_segment("SCH", {
        1: f"P{appointment.appointment_id[1:]}", 2: appointment.appointment_id, 6: reason,
        7: "ROUTINE", 8: "NORMAL", 9: str(slot.minutes), 10: "min",
        11: f"^^{slot.minutes}^{ts(slot.start)}", 25: event.status,
    })


def _tq1(event: SchedulingEvent) -> str:
    slot = event.slot
    return hl7_segment("TQ1", {1: "1", 6: f"{slot.minutes}^min", 7: ts(slot.start),
                               8: ts(slot.end), 9: "R"})


def _pid_pv1(appointment: Appointment, event: SchedulingEvent, network: Network) -> list[str]:
    patient = appointment.patient
    provider = network.provider(appointment.provider_npi)
    location = f"{event.slot.department}^{event.slot.room}^^{appointment.facility_code}"
    pid = hl7_segment("PID", {1: "1", 3: f"{patient.mrn}^^^{appointment.facility_code}^MR",
                              5: f"{patient.family}^{patient.given}",
                              7: patient.birth_date.strftime("%Y%m%d"), 8: patient.sex})
    pv1 = hl7_segment("PV1", {1: "1", 2: "O", 3: location,
                              7: f"{provider.npi}^{provider.family}^{provider.given}^^^^^^NPI",
                              19: appointment.visit_number})
    return [pid, pv1]


def _resources(appointment: Appointment, event: SchedulingEvent, network: Network) -> list[str]:
    slot = event.slot
    action = "A" if event.trigger == "S12" else "U"
    service = network.service(appointment.service_code)
    provider = network.provider(appointment.provider_npi)
    timing = {"start": ts(slot.start), "minutes": str(slot.minutes)}
    return [
        hl7_segment("RGS", {1: "1", 2: action}),
        hl7_segment("AIS", {1: "1", 2: action, 3: f"{service.code}^{service.description}^CPT",
                            4: timing["start"], 7: timing["minutes"], 8: "min",
                            10: event.status}),
        hl7_segment("AIL", {1: "1", 2: action,
                            3: f"{slot.department}^{slot.room}^^{appointment.facility_code}",
                            6: timing["start"], 9: timing["minutes"], 10: "min",
                            12: event.status}),
        hl7_segment("AIP", {1: "1", 2: action,
                            3: f"{provider.npi}^{provider.family}^{provider.given}^^^^^^NPI",
                            4: "D^Doctor", 6: timing["start"], 9: timing["minutes"],
                            10: "min", 12: event.status}),
    ]


def message(appointment: Appointment, event: SchedulingEvent, control_id: str,
            network: Network) -> str:
    segments = [_msh(appointment, event, control_id), _sch(appointment, event), _tq1(event),
                *_pid_pv1(appointment, event, network),
                *_resources(appointment, event, network)]
    return "".join(s + SEGMENT_END for s in segments) + MESSAGE_END


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: one file per facility and day with events (appointments of the
    facilities on the SIU feed only: `appointment.channel == "hl7"`)."""
    days: dict[tuple[str, dt.date], list[tuple[dt.datetime, str, int, Appointment]]] = (
        defaultdict(list))
    for appointment in simulation.appointments:
        if appointment.channel != "hl7":
            continue
        for index, event in enumerate(appointment.events):
            key = (appointment.facility_code, event.time.date())
            days[key].append((event.time, appointment.appointment_id, index, appointment))
    files = {}
    for (facility_code, day), items in sorted(days.items()):
        stamp = day.strftime("%Y%m%d")
        messages = [message(appointment, appointment.events[index],
                            f"{facility_code}{stamp}{n:05d}", network)
                    for n, (_, _, index, appointment) in enumerate(sorted(items), start=1)]
        files[f"SIU_{facility_code}_{stamp}.hl7"] = "".join(messages)
    return files
