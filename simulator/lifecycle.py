"""Revenue cycle: completed appointments become claims (charge lag, daily batches), the
clearinghouse acknowledges them (277CA), payers adjudicate them in weekly payment runs (835).

Everything after the simulated window's last day is left out: a claim not yet billed has no
submission, a claim not yet adjudicated has no adjudication."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from simulator.model import Adjudication, Adjustment, Appointment, Claim, ServiceLine
from simulator.network import CENT, Network, Payer
from simulator.streams import stream

ZERO = Decimal("0")


@dataclass(frozen=True)
class ClaimsParams:
    """Knobs of the revenue cycle."""

    charge_lag_days: tuple[int, int] = (1, 4)
    acknowledgement_lag_days: tuple[int, int] = (1, 2)
    rejection_rate: float = 0.0  # 277CA front-end rejections (A7); issue 2: none
    denial_reasons: tuple[tuple[str, float], ...] = (("197", 0.35), ("16", 0.35), ("50", 0.30))
    claim_level_denial_share: float = 0.5  # denial CAS at claim level (no SVC) vs line level


# (added procedure, probability) when the appointment's service is billed
ADD_ON_LINES = {"80053": (("36415", 1.0),), "99214": (("93000", 0.15),),
                "99284": (("71046", 0.25),)}


def _next_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _lines(rng: random.Random, network: Network, claim_id: str, payer_id: str,
           service_code: str) -> tuple[ServiceLine, ...]:
    codes = [service_code] + [code for code, p in ADD_ON_LINES.get(service_code, ())
                              if rng.random() < p]
    lines = []
    for number, code in enumerate(codes, start=1):
        service = network.service(code)
        lines.append(ServiceLine(number, f"{claim_id}L{number}", code, 1, service.charge,
                                 network.allowed(payer_id, code)))
    return tuple(lines)


def create_claims(network: Network, appointments: list[Appointment], end: dt.date, seed: int,
                  params: ClaimsParams) -> list[Claim]:
    """One primary claim per completed appointment of an insured patient, with its
    submission date (None when it falls after the window)."""
    rng = stream(seed, "claims")
    claims = []
    for appointment in appointments:
        payer = network.payer(appointment.patient.payer_id)
        if appointment.final_status != "completed" or not payer.billable:
            continue
        facility = network.facility(appointment.facility_code)
        service = network.service(appointment.service_code)
        claim = Claim(appointment.visit_number, appointment, payer.payer_id,
                      facility.legal_entity_code, rng.choice(service.diagnoses),
                      _lines(rng, network, appointment.visit_number, payer.payer_id,
                             appointment.service_code))
        lag = rng.randint(*params.charge_lag_days)
        submission = _next_business_day(claim.service_date + dt.timedelta(days=lag))
        claim.submission_date = submission if submission <= end else None
        claims.append(claim)
    return claims


def acknowledge(claims: list[Claim], end: dt.date, seed: int, params: ClaimsParams) -> None:
    """277CA per 837 batch (submission date x legal entity): all accepted (A2) for now."""
    counters: dict[str, int] = defaultdict(int)
    for submitted, entity, batch in submission_batches(claims):
        rng = stream(seed, "ack", submitted.isoformat(), entity)
        ack_date = submitted + dt.timedelta(days=rng.randint(*params.acknowledgement_lag_days))
        if ack_date > end:
            continue
        for claim in batch:
            counters[claim.payer_id] += 1
            rejected = rng.random() < params.rejection_rate
            claim.acknowledgement_date = ack_date
            claim.category_code = "A7" if rejected else "A2"
            claim.payer_claim_number = (
                f"{claim.payer_id[:2]}{ack_date:%y%j}{counters[claim.payer_id]:06d}")


def _payment_run(payer: Payer, ready: dt.date) -> dt.date:
    return ready + dt.timedelta(days=(payer.payment_weekday - ready.weekday()) % 7)


def _patient_responsibility(rng: random.Random, payer: Payer, claim: Claim) -> list[Adjustment]:
    first = claim.lines[0]
    if rng.random() < payer.deductible_rate:
        amount = min(first.allowed, Decimal(rng.randrange(20, 300)))
        return [Adjustment("PR", "1", amount, first.number)]
    if claim.service_code.startswith("99") and rng.random() < payer.copay_rate:
        return [Adjustment("PR", "3", min(first.allowed, payer.copay), first.number)]
    if rng.random() < payer.coinsurance_rate:
        return [Adjustment("PR", "2", (line.allowed * payer.coinsurance).quantize(CENT),
                           line.number) for line in claim.lines]
    return []


def _paid(rng: random.Random, payer: Payer, claim: Claim, run: dt.date) -> Adjudication:
    adjustments = [Adjustment("CO", "45", line.charge - line.allowed, line.number)
                   for line in claim.lines if line.charge > line.allowed]
    responsibility = _patient_responsibility(rng, payer, claim)
    adjustments += responsibility
    line_paid = tuple(
        line.allowed - sum((a.amount for a in responsibility if a.line_number == line.number),
                           ZERO)
        for line in claim.lines)
    adjustments.sort(key=lambda a: (a.line_number or 0, a.group))
    return Adjudication("1", sum(line_paid, ZERO), sum((a.amount for a in responsibility), ZERO),
                        tuple(adjustments), line_paid, run,
                        run + dt.timedelta(days=payer.payment_delay_days))


def _denied(rng: random.Random, payer: Payer, claim: Claim, run: dt.date,
            params: ClaimsParams) -> Adjudication:
    reason = rng.choices([r for r, _ in params.denial_reasons],
                         weights=[w for _, w in params.denial_reasons])[0]
    if rng.random() < params.claim_level_denial_share:
        adjustments = (Adjustment("CO", reason, claim.charge, None),)
        line_paid: tuple[Decimal, ...] = ()
    else:
        adjustments = tuple(Adjustment("CO", reason, line.charge, line.number)
                            for line in claim.lines)
        line_paid = tuple(ZERO for _ in claim.lines)
    return Adjudication("4", ZERO, ZERO, adjustments, line_paid, run,
                        run + dt.timedelta(days=payer.payment_delay_days))


def adjudicate(network: Network, claims: list[Claim], end: dt.date, seed: int,
               params: ClaimsParams) -> None:
    """First adjudication of every accepted claim whose payment run falls in the window."""
    rng = stream(seed, "adjudication")
    for claim in claims:
        if claim.category_code != "A2" or claim.submission_date is None:
            continue
        payer = network.payer(claim.payer_id)
        low, mode, high = payer.lag_days
        ready = claim.submission_date + dt.timedelta(days=round(rng.triangular(low, high, mode)))
        run = _payment_run(payer, ready)
        denied = rng.random() < payer.denial_rate
        if run > end:
            continue
        adjudication = (_denied(rng, payer, claim, run, params) if denied
                        else _paid(rng, payer, claim, run))
        claim.adjudications.append(adjudication)


def submission_batches(claims: list[Claim]) -> list[tuple[dt.date, str, list[Claim]]]:
    """Daily 837 batches: (submission date, legal entity, claims ordered by id)."""
    batches: dict[tuple[dt.date, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.submission_date is not None:
            batches[(claim.submission_date, claim.legal_entity_code)].append(claim)
    return [(day, entity, sorted(batch, key=lambda c: c.claim_id))
            for (day, entity), batch in sorted(batches.items())]


def by_payer(claims: list[Claim]) -> list[tuple[str, list[Claim]]]:
    """Claims grouped by payer id (payer order, claim order kept)."""
    groups: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[claim.payer_id].append(claim)
    return sorted(groups.items())
