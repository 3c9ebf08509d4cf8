"""The vendor CSV of the acquired clinic on its own practice-management system:
`<facility>/APPTS_<MMDDYYYY>.csv`, one file per day with changes, one row per appointment event
(status change) of that day in time order. The vendor's own column names, date formats and
status vocabulary (layout: docs/contracts.md, "Vendor CSV"). CRLF line ends, UTF-8, header row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

from simulator.model import Appointment, SchedulingEvent, Simulation
from simulator.network import Network

COLUMNS = ("Appt ID", "Account No", "Site", "Provider NPI", "Provider", "MRN", "Patient Name",
           "DOB", "Appt Date", "Appt Time", "Length", "Visit Type", "CPT", "Dept", "Room",
           "Status", "Cancel Reason", "Booked", "Last Modified")
STATUS = {"S12": "SCHEDULED", "S13": "RESCHEDULED", "S15": "CANCELLED", "S26": "NO SHOW"}
CANCEL_TEXT = {"PATREQ": "PT REQUEST", "PROVUNAV": "PROVIDER OUT", "FEELBTR": "PT FEELS BETTER",
               "INSUR": "INSURANCE ISSUE", "WEATHER": "INCLEMENT WEATHER",
               "TRANSP": "NO TRANSPORTATION"}
VISIT_TYPES = {"99203": "NEW PT", "99213": "FOLLOW UP", "99214": "FOLLOW UP EXT",
               "99284": "URGENT", "71046": "XRAY", "73562": "XRAY", "93000": "EKG",
               "80053": "LAB", "36415": "LAB", "93306": "ECHO", "20610": "PROCEDURE"}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def site_id(facility_code: str) -> str:
    """The vendor's site id (mapped to the facility code by configuration)."""
    return f"{facility_code}-01"


def vendor_status(event: SchedulingEvent) -> str:
    if event.trigger == "S14":
        return "CHECKED IN" if event.status == "Arrived" else "CHECKED OUT"
    return STATUS[event.trigger]


def _time12(value: dt.datetime) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _modified(value: dt.datetime) -> str:
    return f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year} {value:%H:%M:%S}"


def row(appointment: Appointment, event: SchedulingEvent, network: Network) -> tuple[str, ...]:
    provider = network.provider(appointment.provider_npi)
    patient = appointment.patient
    slot = event.slot
    reason = CANCEL_TEXT[event.reason[0]] if event.trigger == "S15" and event.reason else ""
    return (appointment.appointment_id, appointment.visit_number,
            site_id(appointment.facility_code), provider.npi,
            f"{provider.family}, {provider.given}", patient.mrn,
            f"{patient.family}, {patient.given}", f"{patient.birth_date:%m/%d/%Y}",
            f"{slot.start:%m/%d/%Y}", _time12(slot.start), str(slot.minutes),
            VISIT_TYPES[appointment.service_code], appointment.service_code, slot.department,
            slot.room, vendor_status(event), reason, f"{appointment.booked_at:%m/%d/%Y %H:%M:%S}",
            _modified(event.time))


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    days: dict[tuple[str, dt.date], list[tuple[dt.datetime, str, int, Appointment]]] = (
        defaultdict(list))
    for appointment in simulation.appointments:
        if appointment.channel != "csv":
            continue
        for index, event in enumerate(appointment.events):
            days[(appointment.facility_code, event.time.date())].append(
                (event.time, appointment.appointment_id, index, appointment))
    files = {}
    for (facility_code, day), items in sorted(days.items()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for _, _, index, appointment in sorted(items, key=lambda i: i[:3]):
            writer.writerow(row(appointment, appointment.events[index], network))
        files[f"{facility_code}/APPTS_{day:%m%d%Y}.csv"] = buffer.getvalue()
    return files
