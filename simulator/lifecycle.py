"""Revenue cycle: completed appointments become claims (charge lag), claims travel in daily
837 batches (837P, or 837I for institutional facilities), the clearinghouse answers each batch
with a 999 (a rejected batch is resent) and the payer with a 277CA (a rejected claim is
corrected and resubmitted with frequency 1; an accepted one is sometimes replaced, 7, or
voided, 8); payers adjudicate in weekly payment runs (835: payment, partial payment, denial
by reason, underpayment, reversal and correction, appeal and overturn); a patient with a
secondary payer gets a secondary claim (COB). `simulator.claims.backoffice` then derives PLB
lines, bank deposits and the patient-accounting extract, and `simulator.claims.status_inquiry`
the billing office's claim status follow-up (276 / 277).

The simulation runs day by day over the submissions (every later step is dated at once and
may queue a later submission). Everything after the window's last day is left out."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from simulator.claims.params import CLAIM_REJECTIONS, HIGHER_REJECTIONS, ClaimsParams
from simulator.claims.records import (
    AccountingEntry,
    Ack277,
    Batch,
    RevenueCycle,
    Transmission,
)
from simulator.model import Adjudication, Adjustment, Appointment, Claim, ServiceLine
from simulator.network import CENT, Network, Payer
from simulator.streams import stream

__all__ = ["ClaimsParams", "simulate_claims", "by_payer"]

ZERO = Decimal("0")
MAX_TRANSMISSIONS = 6  # a claim still rejected after that many 837s is abandoned

# (added procedure, probability) when the appointment's service is billed
ADD_ON_LINES = {"80053": (("36415", 1.0),), "99214": (("93000", 0.15),),
                "99284": (("71046", 0.25),)}
# secondary payers (COB) by the primary payer's type: (payer id, weight)
SECONDARY_PAYERS = {"medicare": (("BCHP1", 0.4), ("SMCI2", 0.3), ("MCDST", 0.3)),
                    "commercial": (("BCHP1", 0.4), ("SMCI2", 0.3), ("NSTA3", 0.3))}


def _next_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _days(rng: random.Random, bounds: tuple[int, int]) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(*bounds))


def _choice(rng: random.Random, weights: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weights], weights=[w for _, w in weights])[0]


def _payment_run(payer: Payer, ready: dt.date) -> dt.date:
    return ready + dt.timedelta(days=(payer.payment_weekday - ready.weekday()) % 7)


def _lines(rng: random.Random, network: Network, claim_id: str, payer_id: str,
           service_code: str, service_date: dt.date) -> tuple[ServiceLine, ...]:
    """The claim's lines, priced at the contract rate in effect on the date of service."""
    codes = [service_code] + [code for code, p in ADD_ON_LINES.get(service_code, ())
                              if rng.random() < p]
    lines = []
    for number, code in enumerate(codes, start=1):
        service = network.service(code)
        lines.append(ServiceLine(number, f"{claim_id}L{number}", code, 1, service.charge,
                                 network.allowed(payer_id, code, service_date)))
    return tuple(lines)


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


def _paid(payer: Payer, claim: Claim, run: dt.date, responsibility: list[Adjustment],
          kind: str, number: str, frequency: str, short: Decimal = ZERO) -> Adjudication:
    """A processed-as-primary CLP paying the contract less patient responsibility, less
    `short` on the first line (an underpayment, booked as a too-high CO-45)."""
    adjustments = []
    line_paid = []
    for line in claim.lines:
        own_pr = sum((a.amount for a in responsibility if a.line_number == line.number), ZERO)
        paid = line.allowed - own_pr
        cut = min(short, paid) if line.number == 1 else ZERO
        paid -= cut
        contractual = line.charge - line.allowed + cut
        if contractual > 0:
            adjustments.append(Adjustment("CO", "45", contractual, line.number))
        line_paid.append(paid)
    adjustments += responsibility
    adjustments.sort(key=lambda a: (a.line_number or 0, a.group))
    return Adjudication("1", sum(line_paid, ZERO), sum((a.amount for a in responsibility), ZERO),
                        tuple(adjustments), tuple(line_paid), run,
                        run + dt.timedelta(days=payer.payment_delay_days), number, frequency,
                        kind)


def _reversal(original: Adjudication, payer: Payer, run: dt.date) -> Adjudication:
    """CLP02 22: negates every amount of `original`."""
    return Adjudication(
        "22", -original.paid, -original.patient_responsibility,
        tuple(Adjustment(a.group, a.reason, -a.amount, a.line_number)
              for a in original.adjustments),
        tuple(-p for p in original.line_paid), run,
        run + dt.timedelta(days=payer.payment_delay_days), original.payer_claim_number,
        original.frequency_code, "reversal")


class _Cycle:
    def __init__(self, network: Network, end: dt.date, seed: int, params: ClaimsParams):
        self.network, self.end, self.seed, self.params = network, end, seed, params
        self.queue: dict[dt.date, list[tuple[Claim, str, str | None]]] = defaultdict(list)
        self.revenue = RevenueCycle()
        self.numbers: dict[str, int] = defaultdict(int)

    # ---- front end: 837 batches, 999, 277CA
    def submit(self, day: dt.date, claim: Claim, frequency: str,
               reference: str | None = None) -> None:
        day = _next_business_day(day)
        if day <= self.end and len(claim.transmissions) < MAX_TRANSMISSIONS:
            self.queue[day].append((claim, frequency, reference))

    def run(self) -> None:
        while self.queue:
            day = min(self.queue)
            self._day(day, self.queue.pop(day))

    def _day(self, day: dt.date, items: list[tuple[Claim, str, str | None]]) -> None:
        batches: dict[tuple[str, str], Batch] = {}
        for claim, frequency, reference in sorted(
                items, key=lambda i: (i[0].claim_id, i[0].responsibility)):
            key = (claim.payee_entity_code, claim.claim_form)  # the billing provider's batch
            batch = batches.setdefault(key, Batch(day, *key))
            transmission = Transmission(claim, batch, frequency, reference)
            batch.transmissions.append(transmission)
            claim.transmissions.append(transmission)
        for key in sorted(batches):
            batch = batches[key]
            self.revenue.batches.append(batch)
            self._batch(batch)

    def _batch(self, batch: Batch) -> None:
        p = self.params
        rng = stream(self.seed, "999", batch.day.isoformat(), batch.entity_code, batch.form)
        batch.accepted = rng.random() >= p.batch_rejection_rate
        if not batch.accepted:  # never reaches the payer: fixed and resent
            resend = batch.day + _days(rng, p.batch_fix_days)
            for t in batch.transmissions:
                self.submit(resend, t.claim, t.frequency_code, t.original_reference)
            return
        for t in batch.transmissions:
            if t.claim.submission_date is None:
                t.claim.submission_date = batch.day
        ack_date = batch.day + _days(rng, p.acknowledgement_lag_days)
        if ack_date > self.end:
            return
        batch.ack_date = ack_date
        for payer_id, transmissions in by_payer(batch.transmissions):
            hl = stream(self.seed, "277", batch.day.isoformat(), batch.entity_code, batch.form,
                        payer_id)
            level = ""
            if hl.random() < p.higher_level_rejection_rate:
                level = hl.choice(sorted(HIGHER_REJECTIONS))
            for t in transmissions:
                self._acknowledge(t, ack_date, level)

    def _acknowledge(self, t: Transmission, ack_date: dt.date, level: str) -> None:
        p, claim = self.params, t.claim
        rng = stream(self.seed, "ack", claim.claim_id, claim.responsibility,
                     len(claim.transmissions), t.batch.day.isoformat())
        if level:
            t.ack = Ack277(ack_date, *HIGHER_REJECTIONS[level], level, None)
        elif t.frequency_code != "8" and rng.random() < p.rejection_rate:
            category, status, entity = rng.choices([r for r, _ in CLAIM_REJECTIONS],
                                                   [w for _, w in CLAIM_REJECTIONS])[0]
            t.ack = Ack277(ack_date, category, status, entity, "claim", None)
        else:
            self.numbers[claim.payer_id] += 1
            number = f"{claim.payer_id[:2]}{ack_date:%y%j}{self.numbers[claim.payer_id]:06d}"
            t.ack = Ack277(ack_date, "A2", "20", "PR", "", number)
            claim.payer_claim_number = number
        if claim.acknowledgement_date is None:
            claim.acknowledgement_date, claim.category_code = ack_date, t.ack.category
        if not t.ack.accepted:  # corrected and resubmitted (frequency 1 again after a 1)
            self.submit(ack_date + _days(rng, p.correction_days), claim, t.frequency_code,
                        t.original_reference)
            return
        if t.frequency_code == "8":
            claim.voided = True
            return
        if claim.responsibility == "S":
            self._adjudicate_secondary(claim, t)
            return
        first_acceptance = not any(x.ack and x.ack.accepted for x in claim.transmissions[:-1])
        if t.frequency_code == "1" and first_acceptance:
            draw = rng.random()
            if draw < p.void_rate:
                self.submit(ack_date + _days(rng, (3, 10)), claim, "8", t.ack.payer_claim_number)
                return
            if draw < p.void_rate + p.replacement_rate:
                self.submit(ack_date + _days(rng, (2, 8)), claim, "7", t.ack.payer_claim_number)
                return
        self._adjudicate(claim, t)

    # ---- payer: 835 adjudications
    def _adjudicate(self, claim: Claim, t: Transmission) -> None:
        p = self.params
        payer = self.network.payer(claim.payer_id)
        rng = stream(self.seed, "adjudication", claim.claim_id, len(claim.transmissions))
        low, mode, high = payer.lag_days
        ready = t.batch.day + dt.timedelta(days=round(rng.triangular(low, high, mode)))
        run = _payment_run(payer, ready)
        denied = rng.random() < payer.denial_rate
        if run > self.end:
            return
        assert t.ack is not None and t.ack.payer_claim_number is not None
        number, frequency = t.ack.payer_claim_number, t.frequency_code
        responsibility = _patient_responsibility(rng, payer, claim)
        if claim.adjudications:  # a corrected claim after a CO-16 denial: paid
            claim.adjudications.append(_paid(payer, claim, run, responsibility, "replacement",
                                             number, frequency))
            return
        if p.credentialing_denials and not self.network.is_credentialed(
                claim.appointment.provider_npi, claim.payer_id, claim.service_date):
            self._deny(rng, payer, claim, run, number, frequency, "B7")
            return
        if denied:
            self._deny(rng, payer, claim, run, number, frequency)
            return
        short = ZERO
        if rng.random() < p.underpayment_rate:
            share = Decimal(str(round(rng.uniform(*p.underpayment_share), 2)))
            short = (claim.lines[0].allowed * share).quantize(CENT)
        first = _paid(payer, claim, run, responsibility, "initial", number, frequency, short)
        claim.adjudications.append(first)
        if short and first.paid > 0 and rng.random() < p.reprocessing_rate:
            later = _payment_run(payer, run + _days(rng, p.reprocessing_days))
            if later <= self.end:
                claim.adjudications += [
                    _reversal(first, payer, later),
                    _paid(payer, claim, later, responsibility, "correction", number, frequency)]
        elif not short:
            self._coordinate_benefits(claim, first)

    def _deny(self, rng: random.Random, payer: Payer, claim: Claim, run: dt.date, number: str,
              frequency: str, reason: str = "") -> None:
        """A CLP02 4 denial: `reason` (CO-B7, provider not credentialed: at claim level), else
        a reason drawn from the payer type's mix, at claim or line level."""
        p = self.params
        if not reason:
            table = dict(p.denial_reasons_by_payer_type).get(payer.payer_type, p.denial_reasons)
            reason = _choice(rng, table)
            claim_level = rng.random() < p.claim_level_denial_share
        else:
            claim_level = True
        if claim_level:
            adjustments: tuple[Adjustment, ...] = (Adjustment("CO", reason, claim.charge, None),)
            line_paid: tuple[Decimal, ...] = ()
        else:
            adjustments = tuple(Adjustment("CO", reason, line.charge, line.number)
                                for line in claim.lines)
            line_paid = tuple(ZERO for _ in claim.lines)
        denial = Adjudication("4", ZERO, ZERO, adjustments, line_paid, run,
                              run + dt.timedelta(days=payer.payment_delay_days), number,
                              frequency, "initial")
        claim.adjudications.append(denial)
        self._resolve_denial(rng, payer, claim, denial, reason)

    def _resolve_denial(self, rng: random.Random, payer: Payer, claim: Claim,
                        denial: Adjudication, reason: str) -> None:
        p = self.params
        if reason == "16" and rng.random() < p.corrected_claim_rate:
            self.submit(denial.payment_date + _days(rng, (5, 20)), claim, "7",
                        denial.payer_claim_number)
            return
        deadline = denial.production_date + dt.timedelta(
            days=dict(p.appeal_windows).get(payer.payer_type, 180))
        expected = claim.expected_reimbursement
        if rng.random() < p.weight(p.appeal_rates, reason):
            filed = denial.payment_date + _days(rng, p.appeal_filing_days)
            decided = filed + _days(rng, p.appeal_decision_days)
            overturned = rng.random() < p.weight(p.overturn_rates, reason)
            if filed > self.end:
                return
            self._book("appeal", filed, claim, expected, "filed", reason, deadline,
                       denial.production_date)
            if decided > self.end:
                return
            self._book("appeal", decided, claim, expected,
                       "overturned" if overturned else "upheld", reason, deadline,
                       denial.production_date)
            if overturned:
                run = _payment_run(payer, decided + dt.timedelta(days=1))
                if run <= self.end:
                    claim.adjudications.append(_paid(
                        payer, claim, run, _patient_responsibility(rng, payer, claim),
                        "overturn", denial.payer_claim_number, denial.frequency_code))
                return
            written_off = decided + _days(rng, (1, 10))
        else:
            written_off = denial.payment_date + _days(rng, p.write_off_days)
        if written_off <= self.end:
            self._book("write_off", written_off, claim, expected, "denial", reason)

    def _book(self, kind: str, day: dt.date, claim: Claim, amount: Decimal, subtype: str,
              reason: str = "", deadline: dt.date | None = None,
              denial_date: dt.date | None = None) -> None:
        self.revenue.accounting.append(
            AccountingEntry(kind, day, claim, amount, subtype, reason, deadline, denial_date))

    # ---- coordination of benefits
    def _coordinate_benefits(self, claim: Claim, paid: Adjudication) -> None:
        p = self.params
        payer = self.network.payer(claim.payer_id)
        patient = claim.appointment.patient
        rng = stream(self.seed, "cob", patient.mrn)
        rate = dict(p.cob_rates).get(payer.payer_type, 0.0)
        if not rate or rng.random() >= rate:
            return
        choices = tuple(c for c in SECONDARY_PAYERS[payer.payer_type] if c[0] != claim.payer_id)
        secondary_id = _choice(rng, choices)
        covered = paid.patient_responsibility - paid.total("PR", frozenset({"3"}))
        if covered <= 0:  # nothing a secondary would pay (copay only)
            return
        secondary = Claim(claim.claim_id, claim.appointment, secondary_id,
                          claim.legal_entity_code, claim.diagnosis, claim.lines,
                          responsibility="S", claim_form=claim.claim_form,
                          member_id=f"S{rng.randrange(10**9):09d}", primary=claim,
                          billing_entity_code=self.network.billing_entity_code(
                              claim.facility_code, secondary_id))
        claim.secondary = secondary
        self.revenue.secondary_claims.append(secondary)
        self.submit(paid.payment_date + _days(stream(self.seed, "cob", claim.claim_id),
                                              p.secondary_billing_days), secondary, "1")

    def _adjudicate_secondary(self, claim: Claim, t: Transmission) -> None:
        assert claim.primary is not None and t.ack is not None
        payer = self.network.payer(claim.payer_id)
        rng = stream(self.seed, "secondary", claim.claim_id)
        low, mode, high = payer.lag_days
        run = _payment_run(payer, t.batch.day + dt.timedelta(
            days=round(rng.triangular(low, high, mode) / 2)))
        if run > self.end or claim.adjudications:
            return
        primary = next(a for a in claim.primary.adjudications if a.status_code == "1")
        copay = primary.total("PR", frozenset({"3"}))
        paid = primary.patient_responsibility - copay
        adjustments = [Adjustment("OA", "23", claim.charge - primary.patient_responsibility,
                                  None)]
        if copay:
            adjustments.append(Adjustment("PR", "3", copay, None))
        claim.adjudications.append(Adjudication(
            "2", paid, copay, tuple(adjustments), (), run,
            run + dt.timedelta(days=payer.payment_delay_days), t.ack.payer_claim_number or "",
            t.frequency_code, "secondary"))

    # ---- a remit for a claim never submitted
    def orphan_remits(self, appointments: list[Appointment]) -> None:
        rng = stream(self.seed, "orphan_remits")
        latest = self.end - dt.timedelta(days=45)
        candidates = [a for a in appointments if a.final_status == "completed"
                      and not self.network.payer(a.patient.payer_id).billable
                      and a.slot.start.date() <= latest]
        payer = next(p for p in self.network.payers if p.payer_type == "commercial")
        for n in range(min(self.params.orphan_remits, len(candidates))):
            appointment = rng.choice(candidates)
            facility = self.network.facility(appointment.facility_code)
            claim = Claim(f"{appointment.visit_number}X{n}", appointment, payer.payer_id,
                          facility.legal_entity_code,
                          rng.choice(self.network.service(appointment.service_code).diagnoses),
                          _lines(rng, self.network, appointment.visit_number, payer.payer_id,
                                 appointment.service_code, appointment.slot.start.date()),
                          billing_entity_code=self.network.billing_entity_code(
                              facility.code, payer.payer_id))
            run = _payment_run(payer, claim.service_date + dt.timedelta(days=30))
            if run > self.end:
                continue
            claim.payer_claim_number = f"{payer.payer_id[:2]}UNSOLICITED{n:04d}"
            claim.adjudications.append(_paid(payer, claim, run, [], "initial",
                                             claim.payer_claim_number, "1"))
            self.revenue.orphan_claims.append(claim)


def create_claims(network: Network, appointments: list[Appointment], seed: int,
                  params: ClaimsParams) -> list[tuple[Claim, dt.date]]:
    """One primary claim per completed appointment of an insured patient, with the day it is
    first billed (service date + charge lag)."""
    rng = stream(seed, "claims")
    claims = []
    for appointment in appointments:
        payer = network.payer(appointment.patient.payer_id)
        if appointment.final_status != "completed" or not payer.billable:
            continue
        facility = network.facility(appointment.facility_code)
        service = network.service(appointment.service_code)
        form = "I" if facility.facility_type in params.institutional_facility_types else "P"
        claim = Claim(appointment.visit_number, appointment, payer.payer_id,
                      facility.legal_entity_code, rng.choice(service.diagnoses),
                      _lines(rng, network, appointment.visit_number, payer.payer_id,
                             appointment.service_code, appointment.slot.start.date()),
                      claim_form=form,
                      billing_entity_code=network.billing_entity_code(facility.code,
                                                                      payer.payer_id))
        lag = rng.randint(*params.charge_lag_days)
        claims.append((claim, claim.service_date + dt.timedelta(days=lag)))
    return claims


def simulate_claims(network: Network, appointments: list[Appointment], end: dt.date, seed: int,
                    params: ClaimsParams) -> tuple[list[Claim], RevenueCycle]:
    """The primary claims (submission_date = BHT04 of the first 999-accepted 837) and the rest
    of the revenue cycle."""
    from simulator.claims.backoffice import back_office
    from simulator.claims.status_inquiry import status_inquiries

    billed = create_claims(network, appointments, seed, params)
    cycle = _Cycle(network, end, seed, params)
    for claim, day in billed:
        cycle.submit(day, claim, "1")
    claims = [claim for claim, _ in billed]
    cycle.run()
    cycle.revenue.payer_types = {p.payer_id: p.payer_type for p in network.payers}
    cycle.orphan_remits(appointments)
    back_office(network, claims, cycle.revenue, end, seed, params)
    cycle.revenue.status_inquiries = status_inquiries(
        [*claims, *cycle.revenue.secondary_claims], end, seed, params)
    return claims, cycle.revenue


def by_payer(items: list) -> list[tuple[str, list]]:
    """Claims (or transmissions) grouped by payer id (payer order, item order kept)."""
    groups: dict[str, list] = defaultdict(list)
    for item in items:
        claim = item if isinstance(item, Claim) else item.claim
        groups[claim.payer_id].append(item)
    return sorted(groups.items())
