{#-
    Expected cash receipts (DESIGN §5 Forecasts) by forecast week × facility × payer, as of the
    cut-off C (forecast_as_of_date):

    - open claim = primary claim submitted on or before C, not voided, priced, neither paid
      (first payment date) nor adjudicated (first adjudication date) on or before C;
    - its expected receipts = expected reimbursement × (1 − denial probability of its payer)
      (fct_payer_denial_probabilities; '*' when the payer has no adjudication);
    - spread over payment dates s + l by the payer's timing curve (fct_payment_timing_curves)
      conditioned on the claim's age a = C − s: weight(l) = paid_claims(l) / Σ paid_claims(l' > a)
      for l > a (the claim is known unpaid for a days). No payer lag beyond a: the all-payer
      curve; none either: overdue, expected on C + 1;
    - weeks count from the cut-off: week n covers C + 7(n − 1) + 1 … C + 7n.
-#}
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

    select payer_id, denial_probability from {{ ref('fct_payer_denial_probabilities') }}

)

, expected as (

    select
        open_claims.*
        , open_claims.expected_reimbursement
            * (1 - coalesce(by_payer.denial_probability, all_payers.denial_probability, 0)) as expected_amount
    from open_claims
    left join denial_probabilities as by_payer
        on by_payer.payer_id = open_claims.payer_id
    left join denial_probabilities as all_payers
        on all_payers.payer_id = '*'

)

, later_lags as (

    select
        expected.claim_identity_key
        , curves.payer_id as curve_payer_id
        , curves.days_to_payment
        , curves.paid_claims
    from expected
    inner join {{ ref('fct_payment_timing_curves') }} as curves
        on curves.payer_id in (expected.payer_id, '*')
        and curves.days_to_payment > expected.age_days

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
        , cast(later_lags.paid_claims as float8)
            / sum(later_lags.paid_claims) over (partition by later_lags.claim_identity_key) as weight
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
