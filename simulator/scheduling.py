"""Scheduling: patient panels, daily appointment volumes with weekday patterns, booking lead
times, reschedules, cancellations, no-shows and completions (the SIU event history)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from simulator.model import Appointment, Patient, SchedulingEvent, Slot
from simulator.network import PAYER_MIX, Facility, Network
from simulator.streams import stream


@dataclass(frozen=True)
class SchedulingParams:
    """Knobs of the scheduling behaviour (rates are shares of booked appointments)."""

    cancellation_rate: float = 0.10
    no_show_rate: float = 0.09
    reschedule_rate: float = 0.08
    max_lead_days: int = 30
    volume_noise: float = 0.12
    weekday_factor: tuple[float, ...] = (1.15, 1.05, 1.0, 1.0, 0.85, 0.5, 0.0)


CANCEL_REASONS = (
    ("PATREQ", "Patient request"),
    ("PROVUNAV", "Provider unavailable"),
    ("FEELBTR", "Patient feeling better"),
    ("INSUR", "Coverage issue"),
    ("WEATHER", "Weather closure"),
)
RESCHEDULE_REASON = ("RESCHED", "Rescheduled at patient request")

_SYLLABLES = ("KOR", "VAN", "TEL", "MIR", "DAS", "LUN", "BRE", "SOL", "QUIN", "ZAR", "FEN",
              "OLM", "RIS", "TAV", "YEL", "NOR")
_STREETS = ("ORCHARD WAY", "MAPLE ROW", "CEDAR PATH", "QUARRY RD", "LANTERN ST", "BEACON AVE")


def _synthetic_name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts))


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def make_panel(network: Network, facility: Facility, seed: int) -> list[Patient]:
    rng = stream(seed, "panel", facility.code)
    _, city, state, zip9 = facility.address
    patients = []
    for n in range(facility.base_volume * 25):
        payer = network.payer(_weighted(rng, PAYER_MIX))
        age = rng.randint(65, 92) if payer.payer_type == "medicare" else rng.randint(1, 64)
        birth = dt.date(2025 - age, rng.randint(1, 12), rng.randint(1, 28))
        member_id = f"{payer.payer_id[:3]}{rng.randrange(10**8, 10**9)}"
        street = f"{rng.randint(1, 999)} {rng.choice(_STREETS)}"
        patients.append(Patient(f"{facility.code}{n + 1:07d}", _synthetic_name(rng, 3),
                                _synthetic_name(rng, 2), birth, rng.choice("FM"),
                                payer.payer_id, member_id, (street, city, state, zip9)))
    return patients


def daily_volume(rng: random.Random, facility: Facility, day: dt.date,
                 params: SchedulingParams) -> int:
    weekday = day.weekday()
    if weekday == 6 or (weekday == 5 and not facility.saturday):
        return 0
    mean = facility.base_volume * params.weekday_factor[weekday]
    return max(0, round(rng.gauss(mean, mean * params.volume_noise)))


def _slot(rng: random.Random, network: Network, facility: Facility, day: dt.date,
          service_code: str) -> Slot:
    service = network.service(service_code)
    start = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=15 * rng.randrange(34))
    room = f"RM{rng.randint(1, facility.rooms):02d}"
    return Slot(start, service.minutes, service.department, room)


def _booking_time(rng: random.Random, slot: Slot, start: dt.date,
                  facility: Facility, params: SchedulingParams) -> dt.datetime:
    if facility.facility_type == "urgent_care" and rng.random() < 0.6:
        lead = rng.randint(0, 1)
    else:
        lead = int(rng.triangular(1, params.max_lead_days, 4))
    lead = min(lead, (slot.start.date() - start).days)
    if lead == 0:
        earliest = dt.datetime.combine(slot.start.date(), dt.time(7))
        span = max(1, int((slot.start - earliest).total_seconds() // 60))
        return earliest + dt.timedelta(minutes=rng.randrange(span))
    booked_day = slot.start.date() - dt.timedelta(days=lead)
    return dt.datetime.combine(booked_day, dt.time(8)) + dt.timedelta(
        minutes=rng.randrange(600), seconds=rng.randrange(60))


def _between(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """A time strictly between low and high, during office hours (7:00-19:59) when a few
    draws find one."""
    seconds = int((high - low).total_seconds())
    when = low
    for _ in range(4):
        when = low + dt.timedelta(seconds=rng.randrange(1, max(2, seconds)))
        if 7 <= when.hour < 20:
            break
    return when


def _reschedule(rng: random.Random, booked: dt.datetime, final: Slot) -> Slot | None:
    """The slot originally booked, if this appointment was moved to `final` (None if the
    history leaves no room for a move)."""
    shift = rng.choice((-3, -2, -1, 1, 2, 3, 5, 7))
    original_day = final.start.date() + dt.timedelta(days=shift)
    if original_day.weekday() >= 5 or original_day <= booked.date():
        return None
    original_start = dt.datetime.combine(original_day, final.start.time())
    latest = min(original_start, final.start) - dt.timedelta(hours=2)
    if latest <= booked + dt.timedelta(hours=2):
        return None
    return Slot(original_start, final.minutes, final.department, final.room)


def _history(rng: random.Random, booked: dt.datetime, slot: Slot,
             params: SchedulingParams) -> list[SchedulingEvent]:
    original = _reschedule(rng, booked, slot) if rng.random() < params.reschedule_rate else None
    events = [SchedulingEvent("S12", booked, original or slot, "Booked")]
    if original is not None:
        latest = min(original.start, slot.start) - dt.timedelta(hours=2)
        moved = _between(rng, booked + dt.timedelta(hours=1), latest)
        events.append(SchedulingEvent("S13", moved, slot, "Booked", RESCHEDULE_REASON))
    outcome = rng.random()
    if outcome < params.cancellation_rate:
        when = _between(rng, events[-1].time, slot.start)
        events.append(SchedulingEvent("S15", when, slot, "Cancelled", rng.choice(CANCEL_REASONS)))
    elif outcome < params.cancellation_rate + params.no_show_rate:
        when = slot.start + dt.timedelta(minutes=20 + rng.randrange(20))
        events.append(SchedulingEvent("S26", when, slot, "Noshow"))
    else:
        when = slot.end + dt.timedelta(minutes=rng.randrange(30), seconds=rng.randrange(60))
        events.append(SchedulingEvent("S14", when, slot, "Complete"))
    return events


def schedule_facility(network: Network, facility: Facility, start: dt.date, days: int,
                      seed: int, params: SchedulingParams) -> list[Appointment]:
    rng = stream(seed, "schedule", facility.code)
    panel = make_panel(network, facility, seed)
    providers = network.providers_at(facility.code)
    appointments: list[Appointment] = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for _ in range(daily_volume(rng, facility, day, params)):
            seq = len(appointments) + 1
            service_code = _weighted(rng, facility.service_mix)
            slot = _slot(rng, network, facility, day, service_code)
            booked = _booking_time(rng, slot, start, facility, params)
            appointment = Appointment(f"A{facility.code}{seq:06d}", f"V{facility.code}{seq:06d}",
                                      facility.code, rng.choice(providers).npi, service_code,
                                      rng.choice(panel))
            appointment.events = _history(rng, booked, slot, params)
            appointments.append(appointment)
    return appointments


def schedule(network: Network, start: dt.date, days: int, seed: int,
             params: SchedulingParams | None = None) -> list[Appointment]:
    params = params or SchedulingParams()
    return [a for facility in network.facilities
            for a in schedule_facility(network, facility, start, days, seed, params)]
