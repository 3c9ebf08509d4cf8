{#-
    Expected cash receipts (DESIGN §5 Forecasts) by forecast week × facility × payer, as of the
    cut-off C (forecast_as_of_date):

    - open claim = primary claim submitted on or before C, not voided, priced, neither paid
      (first payment date) nor adjudicated (first adjudication date) on or before C;
    - its expected receipts = expected reimbursement × (1 − denial probability of its payer)
      × payment ratio of its payer (fct_payer_denial_probabilities, fct_payer_payment_ratios:
      the payer pays its allowed amount less the patient's share). A payer's own probability,
      ratio and curve are used only from var('forecast_min_payer_claims', 30) adjudicated /
      paid claims on; below, the all-payer '*' estimate (a ratio or a curve from one claim is
      not an estimate);
    - spread over payment dates s + l by the payer's timing curve (fct_payment_timing_curves,
      Kaplan–Meier with an extrapolated tail) conditioned on the claim's age a = C − s:
      weight(l) = payment_share(l) / Σ payment_share(l' > a) for l > a (the claim is known unpaid
      for a days). No payer lag beyond a: the all-payer curve; none either: overdue, expected on
      C + 1;
    - weeks count from the cut-off: week n covers C + 7(n − 1) + 1 … C + 7n.
-#}
{%- set min_payer_claims = var('forecast_min_payer_claims', 30) %}

with cutoff as (

    select as_of_date, model_version from {{ ref('forecast_as_of_date') }}

)

, open_claims as (

    select
        claims.claim_identity_key
        , claims.facility_code
        , claims.payer_id
        , claims.submission_date
        , claims.expected_reimbursement
        , {{ days_between('claims.submission_date', 'cutoff.as_of_date') }} as age_days
    from {{ ref('fct_claims') }} as claims
    inner join cutoff
        on claims.submission_date <= cutoff.as_of_date
    where not claims.is_voided
        and claims.expected_reimbursement is not null
        and (claims.first_payment_date is null or claims.first_payment_date > cutoff.as_of_date)
        and (claims.first_adjudication_date is null or claims.first_adjudication_date > cutoff.as_of_date)

)

, denial_probabilities as (

    select payer_id, adjudicated_claims, denial_probability
    from {{ ref('fct_payer_denial_probabilities') }}

)

, payment_ratios as (

    select payer_id, paid_claims, payment_ratio from {{ ref('fct_payer_payment_ratios') }}

)

, expected as (

    select
        open_claims.*
        , open_claims.expected_reimbursement
            * (1 - coalesce(denial_by_payer.denial_probability, denial_all_payers.denial_probability, 0))
            * coalesce(ratio_by_payer.payment_ratio, ratio_all_payers.payment_ratio, 1) as expected_amount
    from open_claims
    left join denial_probabilities as denial_by_payer
        on denial_by_payer.payer_id = open_claims.payer_id
        and denial_by_payer.adjudicated_claims >= {{ min_payer_claims }}
    left join denial_probabilities as denial_all_payers
        on denial_all_payers.payer_id = '*'
    left join payment_ratios as ratio_by_payer
        on ratio_by_payer.payer_id = open_claims.payer_id
        and ratio_by_payer.paid_claims >= {{ min_payer_claims }}
    left join payment_ratios as ratio_all_payers
        on ratio_all_payers.payer_id = '*'

)

, later_lags as (

    select
        expected.claim_identity_key
        , curves.payer_id as curve_payer_id
        , curves.days_to_payment
        , curves.payment_share
    from expected
    inner join {{ ref('fct_payment_timing_curves') }} as curves
        on (
            curves.payer_id = '*'
            or (curves.payer_id = expected.payer_id and curves.payer_paid_claims >= {{ min_payer_claims }})
        )
        and curves.days_to_payment > expected.age_days
        and curves.payment_share > 0

)

, curve_choice as (

    select claim_identity_key, max(case when curve_payer_id <> '*' then 1 else 0 end) as has_payer_lags
    from later_lags
    group by claim_identity_key

)

, conditioned as (

    select
        later_lags.claim_identity_key
        , later_lags.days_to_payment
        , later_lags.payment_share
            / sum(later_lags.payment_share) over (partition by later_lags.claim_identity_key) as weight
    from later_lags
    inner join curve_choice
        on curve_choice.claim_identity_key = later_lags.claim_identity_key
        and (later_lags.curve_payer_id <> '*') = (curve_choice.has_payer_lags = 1)

)

, spread as (

    select
        expected.claim_identity_key
        , expected.facility_code
        , expected.payer_id
        , coalesce(conditioned.days_to_payment, expected.age_days + 1) - expected.age_days
            as days_after_cutoff
        , expected.expected_amount * coalesce(conditioned.weight, 1) as expected_receipts
    from expected
    left join conditioned
        on conditioned.claim_identity_key = expected.claim_identity_key

)

, weekly as (

    select
        cast(floor((days_after_cutoff - 1) / 7.0) as integer) + 1 as forecast_week_number
        , facility_code
        , payer_id
        , sum(expected_receipts) as expected_receipts
        , count(distinct claim_identity_key) as open_claims
    from spread
    group by 1, facility_code, payer_id

)

select
    cast(cutoff.as_of_date + 7 * (weekly.forecast_week_number - 1) + 1 as date) as forecast_week_start
    , cast(weekly.forecast_week_number as integer) as forecast_week_number
    , cast(weekly.facility_code as varchar) as facility_code
    , cast(weekly.payer_id as varchar) as payer_id
    , cast(weekly.expected_receipts as decimal(18, 2)) as expected_receipts
    , cast(weekly.open_claims as bigint) as open_claims
    , cast(cutoff.as_of_date as date) as as_of_date
    , cast(cutoff.model_version as varchar) as model_version
from weekly
cross join cutoff
