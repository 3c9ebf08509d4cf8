"""Scheduling: provider schedule templates, patient panels, daily demand with weekday,
seasonal and holiday patterns, booking lead times, capacity-checked slots, reschedules,
cancellations with reasons, no-shows and completions (the appointment event history), and the
feed (channel) each facility's appointments travel on. Rates and their public sources:
docs/simulator-scheduling.md."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from dataclasses import dataclass, replace

from simulator.model import Appointment, Patient, SchedulingEvent, Slot, TemplateSession
from simulator.network import PAYER_MIX, Facility, Network, Provider
from simulator.streams import stream

UNIT = 5  # minutes of one template unit (slot grid)
DAY_UNITS = 24 * 60 // UNIT


@dataclass(frozen=True)
class SchedulingParams:
    """Knobs of the scheduling behaviour. Rates are base rates that lead time, payer, season
    and facility kind modulate (docs/simulator-scheduling.md): cancellations / booked and
    no-shows / (completed + no-shows) come out near them."""

    cancellation_rate: float = 0.10
    no_show_rate: float = 0.09
    reschedule_rate: float = 0.08
    max_lead_days: int = 30  # routine care; specialty practices: specialty_max_lead_days
    volume_noise: float = 0.12
    weekday_factor: tuple[float, ...] = (1.15, 1.05, 1.0, 1.0, 0.85, 0.5, 0.0)
    specialty_max_lead_days: int = 60
    seasonality: bool = True  # winter respiratory bump, summer dip, holiday weeks
    holidays: bool = True  # closed on US federal holidays (urgent care: the major ones)
    provider_day_off_rate: float = 0.04  # a provider's template missing for the day
    target_utilization: float = 0.88  # expected booked minutes / template minutes of a day
    arrived_only_rate: float = 0.03  # FHIR visits left at `arrived` (never set fulfilled)
    acquired_channels: bool = True  # acquired facilities on their own FHIR / CSV vendor
    master_extracts: str = "daily"  # ERP master-data extracts: daily, weekly or single
    master_data_changes: bool = True  # retired cost center, late provider, rate change, ...
    # share of bookings where the front desk notices that the provider is not yet enrolled
    # with the patient's payer and gives the slot to a patient of a plan the provider may
    # bill (docs/simulator.md: the rest slip through and are denied CO-B7)
    credential_screening: float = 0.8

    @classmethod
    def skeleton(cls) -> SchedulingParams:
        """Every facility on the HL7 SIU feed, one master-data extract (the window start) and
        no master-data changes: the shape the issue-2 pipeline ingests end to end."""
        return replace(cls(), acquired_channels=False, master_extracts="single",
                       master_data_changes=False)

    def extract_every_days(self, days: int) -> int:
        return {"daily": 1, "weekly": 7, "single": max(1, days)}[self.master_extracts]


CANCEL_REASONS = (
    ("PATREQ", "Patient request"),
    ("PROVUNAV", "Provider unavailable"),
    ("FEELBTR", "Patient feeling better"),
    ("INSUR", "Coverage issue"),
    ("WEATHER", "Weather closure"),
    ("TRANSP", "Transportation problem"),
)
_CANCEL_WEIGHTS = (0.38, 0.12, 0.20, 0.10, 0.06, 0.14)
_WINTER_CANCEL_WEIGHTS = (0.34, 0.10, 0.18, 0.09, 0.17, 0.12)
RESCHEDULE_REASON = ("RESCHED", "Rescheduled at patient request")

# relative visit volume by month (winter respiratory season high, summer dip)
MONTH_FACTOR = (1.08, 1.06, 1.02, 0.98, 0.97, 0.93, 0.88, 0.92, 1.00, 1.03, 1.00, 0.94)
# urgent care: an extra respiratory-season bump
URGENT_MONTH_FACTOR = (1.18, 1.15, 1.05, 0.97, 0.95, 0.92, 0.92, 0.95, 1.00, 1.05, 1.10, 1.20)

_SYLLABLES = ("KOR", "VAN", "TEL", "MIR", "DAS", "LUN", "BRE", "SOL", "QUIN", "ZAR", "FEN",
              "OLM", "RIS", "TAV", "YEL", "NOR")
_STREETS = ("ORCHARD WAY", "MAPLE ROW", "CEDAR PATH", "QUARRY RD", "LANTERN ST", "BEACON AVE")


def channel_of(facility: Facility, params: SchedulingParams) -> str:
    return facility.scheduling_system if params.acquired_channels else "hl7"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    if n > 0:
        return day + dt.timedelta(weeks=n - 1)
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@functools.cache
def holidays(year: int) -> dict[dt.date, bool]:
    """US federal holidays of a year (observed dates) -> whether urgent care closes too."""
    major = {_observed(dt.date(year, 1, 1)), _observed(dt.date(year, 7, 4)),
             _nth_weekday(year, 11, 3, 4), _observed(dt.date(year, 12, 25))}
    minor = {_nth_weekday(year, 1, 0, 3), _nth_weekday(year, 2, 0, 3),
             _nth_weekday(year, 5, 0, -1), _observed(dt.date(year, 6, 19)),
             _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 10, 0, 2),
             _observed(dt.date(year, 11, 11))}
    return {**{d: False for d in minor}, **{d: True for d in major}}


def is_open(facility: Facility, day: dt.date, params: SchedulingParams) -> bool:
    weekday = day.weekday()
    if weekday == 6 or (weekday == 5 and not facility.saturday):
        return False
    if params.holidays:
        closed = holidays(day.year)
        if day in closed and (closed[day] or facility.facility_type != "urgent_care"):
            return False
    return True


def demand_factor(facility: Facility, day: dt.date, params: SchedulingParams) -> float:
    """Weekday x month x holiday-week factor of the facility's base weekday volume."""
    factor = params.weekday_factor[day.weekday()]
    if params.seasonality:
        months = URGENT_MONTH_FACTOR if facility.facility_type == "urgent_care" else MONTH_FACTOR
        factor *= months[day.month - 1]
        if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 2):
            factor *= 0.75  # the weeks around Christmas and New Year
        if day.month == 11 and abs((day - _nth_weekday(day.year, 11, 3, 4)).days) <= 1:
            factor *= 0.8
    return factor


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
    if not is_open(facility, day, params):
        return 0
    mean = facility.base_volume * demand_factor(facility, day, params)
    return max(0, round(rng.gauss(mean, mean * params.volume_noise)))


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(hour), int(minute)))


def _room(network: Network, provider: Provider, day: dt.date) -> str:
    for location in network.timeline.unmapped_locations:
        if location.provider_npi == provider.npi and day >= location.from_date:
            return location.room
    return provider.home_room


def day_templates(network: Network, facility: Facility, day: dt.date, seed: int,
                  params: SchedulingParams) -> list[TemplateSession]:
    """The template sessions of the facility's providers on one day (none when closed)."""
    if not is_open(facility, day, params):
        return []
    rng = stream(seed, "templates", facility.code, day.isoformat())
    providers = [p for p in network.providers_at(facility.code) if p.works_on(day)]
    if day.weekday() == 5:  # Saturday: one provider, rotating by week
        providers = [providers[day.isocalendar()[1] % len(providers)]]
        blocks = facility.sessions[1]
    else:
        blocks = facility.sessions[0]
    working = [p for p in providers if rng.random() >= params.provider_day_off_rate]
    working = working or providers[:1]
    pairs = [(p, block) for p in working for block in blocks]
    # clinics staff to demand: enough sessions for the day's expected booked minutes at the
    # target utilization (the rest of the providers' time is admin, procedures, other sites)
    expected = facility.base_volume * demand_factor(facility, day, params) * _mean_minutes(
        network, facility)
    sessions: list[TemplateSession] = []
    remaining = expected / params.target_utilization
    for n in rng.sample(range(len(pairs)), len(pairs)):
        if remaining <= 0 and sessions:
            break
        provider, (start, end) = pairs[n]
        session = TemplateSession(provider.npi, facility.code, provider.department,
                                  _room(network, provider, day), _at(day, start), _at(day, end))
        if session.minutes > remaining + 15:  # the last block: cut to the minutes still needed
            keep = max(60, int(remaining) // 15 * 15 + 15)
            session = replace(session, end=session.start + dt.timedelta(minutes=keep))
        sessions.append(session)
        remaining -= session.minutes
    return sorted(sessions, key=lambda s: (s.provider_npi, s.start))


def _minutes(block: tuple[str, str]) -> int:
    return int((_at(dt.date.min, block[1]) - _at(dt.date.min, block[0])).total_seconds() // 60)


def _mean_minutes(network: Network, facility: Facility) -> float:
    weights = sum(w for _, w in facility.service_mix)
    return sum(w * network.service(code).minutes for code, w in facility.service_mix) / weights


def build_templates(network: Network, start: dt.date, days: int, seed: int,
                    params: SchedulingParams) -> list[TemplateSession]:
    return [t for facility in network.facilities for offset in range(days)
            for t in day_templates(network, facility, start + dt.timedelta(days=offset), seed,
                                   params)]


class _ProviderDay:
    """Free / busy 5-minute units of one provider's day."""

    def __init__(self, sessions: list[TemplateSession]) -> None:
        self.busy = bytearray(b"\x01" * DAY_UNITS)
        for session in sessions:
            first = (session.start.hour * 60 + session.start.minute) // UNIT
            last = (session.end.hour * 60 + session.end.minute) // UNIT
            self.busy[first:last] = b"\x00" * (last - first)
        self.session = sessions[0]
        self._starts: dict[tuple[int, int], list[int]] = {}

    def _grid(self, size: int, step: int) -> list[int]:
        """Grid units where a visit of `size` units fits inside a session."""
        if (size, step) not in self._starts:
            self._starts[(size, step)] = [
                unit for unit in range(0, DAY_UNITS - size + 1, step)
                if 1 not in self.busy[unit:unit + size]]
        return self._starts[(size, step)]

    def book(self, rng: random.Random, minutes: int) -> int | None:
        """Start minute of a free run of `minutes` on the grid (15 minutes for visits of 15
        minutes or more); None when the day is full."""
        size = -(-minutes // UNIT)
        starts = self._grid(size, 3 if minutes >= 15 else 1)
        if not starts:
            return None
        # half the requests take the first opening of the day, half a preferred time (or
        # the next opening after it): templates fill from the session starts, as they do
        offset = 0 if rng.random() < 0.5 else rng.randrange(len(starts))
        for k in range(len(starts)):
            unit = starts[(offset + k) % len(starts)]
            if 1 not in self.busy[unit:unit + size]:
                self.busy[unit:unit + size] = b"\x01" * size
                return unit * UNIT
        return None


def _lead_days(rng: random.Random, facility: Facility, params: SchedulingParams) -> int:
    kind = facility.facility_type
    draw = rng.random()
    if kind == "urgent_care":
        if draw < 0.65:
            return 0
        return 1 if draw < 0.85 else rng.randint(2, 7)
    if kind == "specialty_practice":
        if draw < 0.05:
            return 0
        return min(params.specialty_max_lead_days,
                   max(1, round(rng.lognormvariate(math.log(18), 0.6))))
    same_day, median = (0.15, 5) if kind == "diagnostic_center" else (0.18, 9)
    if draw < same_day:
        return 0
    if draw < same_day + 0.12:
        return 1
    return min(params.max_lead_days, max(2, round(rng.lognormvariate(math.log(median), 0.7))))


def _booking_time(rng: random.Random, slot: Slot, lead: int, start: dt.date) -> dt.datetime:
    lead = min(lead, (slot.start.date() - start).days)
    if lead == 0:
        earliest = dt.datetime.combine(slot.start.date(), dt.time(7))
        span = max(1, int((slot.start - earliest).total_seconds() // 60) - 10)
        return earliest + dt.timedelta(minutes=rng.randrange(span), seconds=rng.randrange(60))
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


# outcome multipliers by booking lead time: (upper bound of days, cancellation, no-show)
_LEAD_FACTORS = ((0, 0.30, 0.45), (7, 0.95, 0.90), (21, 1.20, 1.15), (10_000, 1.40, 1.40))
_NO_SHOW_PAYER = {"medicaid": 1.55, "self_pay": 1.50, "medicare": 0.80, "commercial": 0.80}


def outcome_rates(params: SchedulingParams, lead: int, payer_type: str,
                  month: int) -> tuple[float, float]:
    """(P(cancelled), P(no-show | not cancelled)) of one appointment."""
    _, cancel, no_show = next(f for f in _LEAD_FACTORS if lead <= f[0])
    if params.seasonality and month in (12, 1, 2):
        cancel *= 1.12
    return (min(0.9, params.cancellation_rate * 1.22 * cancel),
            min(0.9, params.no_show_rate * 1.22 * no_show * _NO_SHOW_PAYER[payer_type]))


def _history(rng: random.Random, booked: dt.datetime, slot: Slot, lead: int,
             payer_type: str, channel: str,
             params: SchedulingParams) -> list[SchedulingEvent]:
    original = _reschedule(rng, booked, slot) if rng.random() < params.reschedule_rate else None
    events = [SchedulingEvent("S12", booked, original or slot, "Booked")]
    if original is not None:
        latest = min(original.start, slot.start) - dt.timedelta(hours=2)
        moved = _between(rng, booked + dt.timedelta(hours=1), latest)
        events.append(SchedulingEvent("S13", moved, slot, "Booked", RESCHEDULE_REASON))
    p_cancel, p_no_show = outcome_rates(params, lead, payer_type, slot.start.month)
    if rng.random() < p_cancel:
        last = events[-1].time
        hours_before = rng.expovariate(1 / 40)  # most cancellations come in the last 2 days
        when = (slot.start - dt.timedelta(hours=hours_before)).replace(microsecond=0)
        if not (last < when < slot.start and 7 <= when.hour < 20):
            when = _between(rng, last, slot.start)
        weights = _WINTER_CANCEL_WEIGHTS if slot.start.month in (12, 1, 2) else _CANCEL_WEIGHTS
        reason = rng.choices(CANCEL_REASONS, weights=weights)[0]
        events.append(SchedulingEvent("S15", when, slot, "Cancelled", reason))
    elif rng.random() < p_no_show:
        when = slot.start + dt.timedelta(minutes=20 + rng.randrange(20))
        events.append(SchedulingEvent("S26", when, slot, "Noshow"))
    else:
        if channel != "hl7":  # check-in: FHIR `arrived`, CSV `CHECKED IN`
            arrived = slot.start - dt.timedelta(minutes=rng.randrange(1, 20))
            events.append(SchedulingEvent("S14", max(arrived, events[-1].time
                                                     + dt.timedelta(seconds=1)),
                                          slot, "Arrived"))
            if channel == "fhir" and rng.random() < params.arrived_only_rate:
                return events
        when = slot.end + dt.timedelta(minutes=rng.randrange(30), seconds=rng.randrange(60))
        events.append(SchedulingEvent("S14", when, slot, "Complete"))
    return events


def pending_enrollments(network: Network, facility: Facility, start: dt.date) -> frozenset[str]:
    """NPIs of the facility's providers not credentialed with some billable payer on the
    window's first day (or never)."""
    return frozenset(
        p.npi for p in network.providers_at(facility.code)
        if any(c.effective_from is None or c.effective_from > start for c in p.credentials))


def _screened(rng: random.Random, network: Network, panel: list[Patient], npi: str,
              day: dt.date, patient: Patient, params: SchedulingParams) -> Patient:
    """The patient booked with a provider not enrolled with the patient's payer: when the
    front desk notices (`credential_screening`), a patient of a plan the provider may bill
    takes the slot instead."""
    if rng.random() >= params.credential_screening:
        return patient  # slips through: the claim will be denied CO-B7
    for _ in range(20):
        other = rng.choice(panel)
        if network.is_credentialed(npi, other.payer_id, day):
            return other
    return patient


def schedule_facility(network: Network, facility: Facility, start: dt.date, days: int,
                      seed: int, params: SchedulingParams
                      ) -> tuple[list[Appointment], list[TemplateSession]]:
    rng = stream(seed, "schedule", facility.code)
    panel = make_panel(network, facility, seed)
    channel = channel_of(facility, params)
    payer_types = {p.payer_id: p.payer_type for p in network.payers}
    services = {s.code: s for s in network.services}
    departments = {code: network.department_of(facility.code, code)
                   for code, _ in facility.service_mix}
    appointments: list[Appointment] = []
    templates: list[TemplateSession] = []
    pending = pending_enrollments(network, facility, start)
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        sessions = day_templates(network, facility, day, seed, params)
        templates += sessions
        by_provider: dict[str, list[TemplateSession]] = {}
        for session in sessions:
            by_provider.setdefault(session.provider_npi, []).append(session)
        provider_days = {npi: _ProviderDay(s) for npi, s in by_provider.items()}
        for _ in range(daily_volume(rng, facility, day, params)):
            service_code = _weighted(rng, facility.service_mix)
            minutes = services[service_code].minutes
            order = list(provider_days)
            rng.shuffle(order)
            placed = None
            for npi in order:
                minute = provider_days[npi].book(rng, minutes)
                if minute is not None:
                    placed = (npi, minute)
                    break
            if placed is None:
                continue  # the day is full: the demand goes elsewhere
            npi, minute = placed
            room = provider_days[npi].session.room
            slot = Slot(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute),
                        minutes, departments[service_code], room)
            patient = rng.choice(panel)
            if npi in pending and not network.is_credentialed(npi, patient.payer_id, day):
                patient = _screened(rng, network, panel, npi, day, patient, params)
            lead = _lead_days(rng, facility, params)
            booked = _booking_time(rng, slot, lead, start)
            seq = len(appointments) + 1
            appointment = Appointment(f"A{facility.code}{seq:06d}", f"V{facility.code}{seq:06d}",
                                      facility.code, npi, service_code, patient, channel=channel)
            lead = (slot.start.date() - booked.date()).days
            appointment.events = _history(rng, booked, slot, lead,
                                          payer_types[patient.payer_id], channel, params)
            appointments.append(appointment)
    return appointments, templates


def schedule_with_templates(network: Network, start: dt.date, days: int, seed: int,
                            params: SchedulingParams | None = None
                            ) -> tuple[list[Appointment], list[TemplateSession]]:
    """Every facility's appointments (by facility, then creation order) and the provider
    template sessions they were booked into."""
    params = params or SchedulingParams()
    appointments: list[Appointment] = []
    templates: list[TemplateSession] = []
    for facility in network.facilities:
        found, sessions = schedule_facility(network, facility, start, days, seed, params)
        appointments += found
        templates += sessions
    return appointments, templates


def schedule(network: Network, start: dt.date, days: int, seed: int,
             params: SchedulingParams | None = None) -> list[Appointment]:
    return schedule_with_templates(network, start, days, seed, params)[0]
