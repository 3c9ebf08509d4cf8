"""Knobs of the revenue cycle. Defaults are the full, realistic lifecycle (sources in
docs/simulator-claims.md); `ClaimsParams.skeleton()` switches every issue-3 behaviour off and
reproduces the issue-2 data shape (837P + 277CA all A2 + one 835 CLP per claim)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

Weights = tuple[tuple[str, float], ...]
StatusWeights = tuple[tuple[tuple[str, str], float], ...]

# 277CA claim-level rejections: (category, status code, entity code), weight
CLAIM_REJECTIONS: tuple[tuple[tuple[str, str, str], float], ...] = (
    (("A7", "33", "IL"), 0.35),   # subscriber and subscriber id not found
    (("A6", "254", ""), 0.20),    # principal diagnosis code missing
    (("A7", "562", "85"), 0.15),  # billing provider NPI invalid
    (("A3", "21", ""), 0.15),     # missing or invalid information
    (("A8", "454", ""), 0.15),    # procedure code inconsistent with other fields
)
# 277CA rejections above the claim: level -> (category, status, entity)
HIGHER_REJECTIONS = {"2200B": ("A3", "24", "41"),   # submitter not approved for this payer
                     "2200C": ("A7", "562", "85")}  # billing provider not enrolled
# 277 (005010X212) answer about a claim the payer has not adjudicated: (category, status
# code), weight. P1 in process (20 accepted for processing, 38 awaiting the next periodic
# adjudication cycle), P2 payer review (46 internal review / audit, 55 assigned to an analyst)
PENDING_STATUSES: StatusWeights = ((("P1", "20"), 0.60), (("P1", "38"), 0.15),
                                   (("P2", "46"), 0.15), (("P2", "55"), 0.10))
# R4 request for documentation: 317 patient's medical records, 297 medical notes / report,
# 294 supporting documentation
REQUEST_STATUSES: StatusWeights = ((("R4", "317"), 0.5), (("R4", "297"), 0.3),
                                   (("R4", "294"), 0.2))
# finalized: F1:65 claim paid, F4:1 adjudicated without payment (see the remittance advice);
# a denial F2 with the status code of its CARC (84 service not authorized, 21 missing or
# invalid information), else 1
PAID_STATUS, UNPAID_STATUS = ("F1", "65"), ("F4", "1")
DENIAL_STATUS_CODES = {"197": "84", "16": "21"}
# 835 remark codes (RARC, X12 list; seeds/rarc_codes.csv) a payer sends with a CARC: LQ*HE
# on the service line carrying the CAS, MOA03.. on the claim when the CAS is at claim level.
# CO-16 information missing: MA130 unprocessable, resubmit; CO-197 no authorization: M62
# treatment authorization code missing; CO-50 not medically necessary: N130 see the plan's
# coverage guidelines; CO-B7 provider not eligible: N290 rendering provider identifier
REMARKS_BY_CARC: dict[str, tuple[str, ...]] = {
    "16": ("MA130",), "197": ("M62",), "50": ("N130",), "B7": ("N290",),
}
# a line paid below its contract rate (the too-high CO-45 of an underpayment): N381 see the
# contract's payment terms
UNDERPAID_LINE_REMARKS: tuple[str, ...] = ("N381",)
# MOA alert on every processed (CLP02 1) or reversed (22) claim of these payer types: MA01
# appeal rights (Medicare prints it on Part B remittances)
PROCESSED_CLAIM_REMARKS: dict[str, tuple[str, ...]] = {"medicare": ("MA01",)}
MOA_REMARK_SLOTS = 5  # MOA03..MOA07


@dataclass(frozen=True)
class ClaimsParams:
    """Knobs of the revenue cycle (rates are probabilities per claim unless noted)."""

    charge_lag_days: tuple[int, int] = (1, 4)
    acknowledgement_lag_days: tuple[int, int] = (1, 2)
    # facility types billed on 837I (UB-04, hospital outpatient departments); others 837P
    institutional_facility_types: tuple[str, ...] = ("hospital_outpatient",)
    # payer types the parent's central billing office bills under the parent's TIN for every
    # legal entity's facilities (one 835 payee TIN for several entities: intercompany cash)
    shared_billing_payer_types: tuple[str, ...] = ("commercial",)
    # --- front end
    batch_rejection_rate: float = 0.02  # 999 AK9*R, per 837 batch
    batch_fix_days: tuple[int, int] = (1, 3)
    rejection_rate: float = 0.04  # 277CA claim-level rejection (A3/A6/A7/A8)
    higher_level_rejection_rate: float = 0.01  # per 277CA transaction (payer in a batch)
    correction_days: tuple[int, int] = (2, 7)  # rejection -> corrected resubmission
    replacement_rate: float = 0.015  # accepted claim replaced (freq 7) before adjudication
    void_rate: float = 0.005  # accepted claim voided (freq 8), never adjudicated
    # --- payer
    denial_reasons: Weights = (("197", 0.35), ("16", 0.35), ("50", 0.30))  # fallback mix
    # denial propensity by reason, per payer type (CO-197, CO-16, CO-50, CO-29; relative
    # weights). CO-B7 is not drawn: it comes from credentialing (below).
    denial_reasons_by_payer_type: tuple[tuple[str, Weights], ...] = (
        ("medicare", (("16", 0.30), ("50", 0.30), ("197", 0.05), ("29", 0.15))),
        ("medicaid", (("197", 0.30), ("16", 0.30), ("29", 0.20), ("50", 0.10))),
        ("commercial", (("197", 0.35), ("16", 0.25), ("50", 0.20), ("29", 0.10))),
    )
    # a claim whose rendering provider is not credentialed with the payer on the date of
    # service is denied at its first adjudication (CLP02 4, claim-level CAS CO-B7)
    credentialing_denials: bool = True
    claim_level_denial_share: float = 0.5  # denial CAS at claim level (no SVC) vs line level
    underpayment_rate: float = 0.03  # paid below contract (CO-45 too high)
    underpayment_share: tuple[float, float] = (0.05, 0.20)  # of the allowed amount
    reprocessing_rate: float = 0.5  # underpaid claims reversed (CLP02 22) and corrected later
    reprocessing_days: tuple[int, int] = (21, 56)
    corrected_claim_rate: float = 0.8  # CO-16 denials answered by a freq-7 corrected claim
    appeal_rates: Weights = (("197", 0.6), ("50", 0.5), ("B7", 0.4), ("29", 0.1),
                             ("16", 0.2))
    overturn_rates: Weights = (("197", 0.55), ("50", 0.40), ("B7", 0.60), ("29", 0.15),
                               ("16", 0.50))
    appeal_filing_days: tuple[int, int] = (10, 40)  # denial payment -> appeal filed
    appeal_decision_days: tuple[int, int] = (30, 60)
    write_off_days: tuple[int, int] = (30, 90)  # unappealed denial -> write-off
    # appeal deadline after the denial, by payer type (days)
    appeal_windows: tuple[tuple[str, int], ...] = (("medicare", 120), ("medicaid", 90),
                                                   ("commercial", 180))
    # --- coordination of benefits: share of patients with a secondary payer, by type
    cob_rates: tuple[tuple[str, float], ...] = (("medicare", 0.30), ("commercial", 0.05))
    secondary_billing_days: tuple[int, int] = (2, 7)
    # --- provider-level adjustments
    prompt_pay_days: int = 30  # interest (PLB L6) on clean claims paid later than this
    interest_rate: float = 0.05  # annual
    interest_share: float = 0.5  # of the late clean claims that get interest
    recoupment_rate: float = 0.04  # per 835 transaction: a WO recoupment of an earlier claim
    # --- claim status follow-up (276 / 277, 005010X212): the billing office asks the payer
    # about accepted claims still without an adjudication this many days after submission
    # (None: no follow-up), and again every `status_inquiry_repeat_days` while they are
    status_inquiry_days: int | None = 30
    status_inquiry_repeat_days: int = 14
    status_response_days: tuple[int, int] = (1, 2)  # 276 -> the payer's 277
    status_request_rate: float = 0.05  # pending claims answered R4 (documentation request)
    # --- bank
    missing_deposits: int = 1  # EFT 835s without a deposit
    orphan_deposits: int = 1  # deposits without an 835
    orphan_remits: int = 1  # 835 CLPs for a claim never submitted
    # --- patient accounting
    pos_collection_rate: float = 0.7  # copay collected at the point of service
    statement_pay_rate: float = 0.55  # statement paid in full
    statement_partial_rate: float = 0.15  # half paid, the rest goes to bad debt
    charity_rate: float = 0.04
    small_balance: str = "5.00"  # balances below are written off
    bad_debt_days: int = 120  # statement -> bad debt write-off

    @classmethod
    def skeleton(cls) -> ClaimsParams:
        """The issue-2 data shape: no 999 or 277CA rejections, no replacements or voids, no
        COB, no underpayments, reversals, PLB or appeals, no credentialing (CO-B7) denials, no
        deliberately unmatched remits or deposits, every entity billing under its own TIN, no
        claim status follow-up (276 / 277)."""
        return dataclasses.replace(
            cls(), batch_rejection_rate=0.0, rejection_rate=0.0,
            higher_level_rejection_rate=0.0, replacement_rate=0.0, void_rate=0.0,
            underpayment_rate=0.0, reprocessing_rate=0.0, corrected_claim_rate=0.0,
            appeal_rates=(), cob_rates=(), interest_share=0.0, recoupment_rate=0.0,
            missing_deposits=0, orphan_deposits=0, orphan_remits=0,
            denial_reasons_by_payer_type=(), credentialing_denials=False,
            shared_billing_payer_types=(), status_inquiry_days=None)

    def weight(self, table: Weights, key: str) -> float:
        return dict(table).get(key, 0.0)
