"""Remark codes (RARC) of an 835 adjudication, from its adjustments and the payer's type with
the mappings of `simulator.claims.params` (no random draw: the other files stay as they are).
Line codes go to LQ*HE in loop 2110; claim codes to MOA03..MOA07 (every simulated claim is
outpatient: 837P professional or 837I hospital outpatient, so MOA, never MIA)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from simulator.claims.params import (
    MOA_REMARK_SLOTS,
    PROCESSED_CLAIM_REMARKS,
    REMARKS_BY_CARC,
    UNDERPAID_LINE_REMARKS,
)
from simulator.model import Adjudication, Claim


@dataclass(frozen=True)
class Remarks:
    claim: tuple[str, ...]  # MOA03..
    lines: dict[int, tuple[str, ...]]  # line number -> LQ*HE codes

    def all(self) -> list[str]:
        """Every code as the 835 carries it: the claim's, then each line's in line order."""
        return [*self.claim, *(c for n in sorted(self.lines) for c in self.lines[n])]


def _unique(codes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _line_codes(claim: Claim, adjudication: Adjudication, number: int,
                paid: Decimal) -> tuple[str, ...]:
    own = [a for a in adjudication.adjustments if a.line_number == number]
    codes = [c for a in own for c in REMARKS_BY_CARC.get(a.reason, ())]
    sign = -1 if adjudication.status_code == "22" else 1
    line = claim.lines[number - 1]
    patient = sum((a.amount for a in own if a.group == "PR"), Decimal("0"))
    if any(a.reason == "45" for a in own) and sign * paid < line.allowed - sign * patient:
        codes += UNDERPAID_LINE_REMARKS
    return _unique(codes)


def remarks(claim: Claim, adjudication: Adjudication, payer_type: str) -> Remarks:
    """The remark codes of one CLP (an empty tuple where a loop has none)."""
    codes = []
    if adjudication.status_code in ("1", "22"):
        codes += PROCESSED_CLAIM_REMARKS.get(payer_type, ())
    codes += [c for a in adjudication.adjustments if a.line_number is None
              for c in REMARKS_BY_CARC.get(a.reason, ())]
    paid_lines = zip(claim.lines, adjudication.line_paid, strict=True) \
        if adjudication.line_paid else ()  # none: adjudicated at claim level (no SVC)
    lines = {line.number: _line_codes(claim, adjudication, line.number, paid)
             for line, paid in paid_lines}
    return Remarks(_unique(codes)[:MOA_REMARK_SLOTS],
                   {n: c for n, c in lines.items() if c})
