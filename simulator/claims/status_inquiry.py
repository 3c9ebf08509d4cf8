"""The billing office's follow-up on aged claims (276 / 277, 005010X212): every business day
it asks each payer about the accepted claims still without an adjudication
`status_inquiry_days` after submission (and again every `status_inquiry_repeat_days` while
they are), and the payer answers a day or two later with the claim's status as of then —
finalized (F*, with what it paid) when an 835 adjudication was produced by the answer day,
else pending (P*) or, now and then, a request for documentation (R*). The answer does not
change the adjudication: the payer's decision is drawn when it accepts the claim."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import defaultdict

from simulator.claims.backoffice import trace_number
from simulator.claims.params import (
    DENIAL_STATUS_CODES,
    PAID_STATUS,
    PENDING_STATUSES,
    REQUEST_STATUSES,
    UNPAID_STATUS,
    ClaimsParams,
    StatusWeights,
)
from simulator.claims.records import StatusInquiry, Transmission
from simulator.model import Adjudication, Claim
from simulator.streams import stream


def _business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _accepted_as_of(claim: Claim, day: dt.date) -> Transmission | None:
    """The transmission the payer holds on `day` (its latest acceptance), None if it holds
    none or the claim was voided by then."""
    held = [t for t in claim.transmissions if t.ack and t.ack.accepted and t.ack.date <= day]
    if not held or held[-1].frequency_code == "8":
        return None
    return held[-1]


def _adjudicated_by(claim: Claim, day: dt.date) -> Adjudication | None:
    """The latest adjudication produced on or before `day` (an 835's DTM*405)."""
    done = [a for a in claim.adjudications if a.production_date <= day]
    return done[-1] if done else None


def _inquiry_days(claim: Claim, end: dt.date, params: ClaimsParams) -> list[dt.date]:
    """Follow-up days of a claim: due `status_inquiry_days` after submission, then every
    `status_inquiry_repeat_days`, while the payer holds it unadjudicated."""
    assert params.status_inquiry_days is not None and claim.submission_date is not None
    days = []
    day = _business_day(claim.submission_date + dt.timedelta(days=params.status_inquiry_days))
    while day <= end and _adjudicated_by(claim, day) is None:
        if _accepted_as_of(claim, day) is not None:
            days.append(day)
        day = _business_day(day + dt.timedelta(days=params.status_inquiry_repeat_days))
    return days


def _pick(rng: random.Random, table: StatusWeights) -> tuple[str, str]:
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


def finalized_status(adjudication: Adjudication) -> tuple[str, str]:
    """(category, status code) of an adjudicated claim."""
    if adjudication.denied:
        reason = next((a.reason for a in adjudication.adjustments if a.group == "CO"), "")
        return "F2", DENIAL_STATUS_CODES.get(reason, "1")
    return PAID_STATUS if adjudication.paid > 0 else UNPAID_STATUS


def _response_day(payer_id: str, day: dt.date, seed: int, params: ClaimsParams) -> dt.date:
    """The day the payer answers its 276 of `day` (one 277 per 276)."""
    rng = stream(seed, "status_response", payer_id, day.isoformat())
    return day + dt.timedelta(days=rng.randint(*params.status_response_days))


def _answer(claim: Claim, day: dt.date, transmission: Transmission, trace: str, seed: int,
            end: dt.date, params: ClaimsParams) -> StatusInquiry:
    """The claim asked about on `day` with the payer's answer as of its response day."""
    assert transmission.ack is not None and transmission.ack.payer_claim_number
    asked = StatusInquiry(claim, day, trace, transmission.ack.payer_claim_number,
                          transmission.frequency_code, None)
    response = _response_day(claim.payer_id, day, seed, params)
    if response > end:
        return asked
    adjudication = _adjudicated_by(claim, response)
    if adjudication is not None:
        category, status = finalized_status(adjudication)
        remittance = (trace_number(claim.payer_id, claim.payee_entity_code,
                                   adjudication.production_date)
                      if adjudication.paid > 0 else "")
        return dataclasses.replace(asked, response_date=response, category=category,
                                   status=status, adjudication=adjudication,
                                   remittance_trace=remittance)
    rng = stream(seed, "status_inquiry", claim.claim_id, claim.responsibility, day.isoformat())
    table = REQUEST_STATUSES if rng.random() < params.status_request_rate else PENDING_STATUSES
    category, status = _pick(rng, table)
    return dataclasses.replace(asked, response_date=response, category=category, status=status)


def status_inquiries(claims: list[Claim], end: dt.date, seed: int,
                     params: ClaimsParams) -> list[StatusInquiry]:
    """Every claim asked about in the window, by inquiry day, payer, billing entity and claim;
    the trace (TRN02) numbers the claims of one payer's 276 of the day."""
    if params.status_inquiry_days is None:
        return []
    due: list[tuple[dt.date, Claim]] = [
        (day, claim) for claim in claims if claim.submission_date is not None
        for day in _inquiry_days(claim, end, params)]
    due.sort(key=lambda d: (d[0], d[1].payer_id, d[1].payee_entity_code, d[1].claim_id,
                            d[1].responsibility))
    numbers: dict[tuple[dt.date, str], int] = defaultdict(int)
    found = []
    for day, claim in due:
        numbers[(day, claim.payer_id)] += 1
        trace = f"{claim.payer_id}{day:%y%m%d}{numbers[(day, claim.payer_id)]:04d}"
        transmission = _accepted_as_of(claim, day)
        assert transmission is not None
        found.append(_answer(claim, day, transmission, trace, seed, end, params))
    return found
