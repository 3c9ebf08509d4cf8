{#-
    Observed payment-timing curve per payer as of the cut-off: the distribution of days from
    submission (BHT04 of the accepted 837) to first payment (BPR16) of the primary claims
    submitted and paid on or before the cut-off. Submission, not first adjudication, starts the
    clock: every open claim has a submission date, most have no adjudication yet.
    payment_share = paid claims at that lag / paid claims of the payer; cumulative_share = Σ
    payment_share up to that lag (1 at the longest lag); week_offset = floor(days / 7).
    payer_id '*' = all payers (the fallback curve). Right-censored: lags longer than the
    observed history cannot appear (docs/decisions/0033-forecast-feed.md).
-#}
with cutoff as (

    select as_of_date from {{ ref('forecast_as_of_date') }}

)

, paid_claims as (

    select
        claims.payer_id
        , {{ days_between('claims.submission_date', 'claims.first_payment_date') }} as days_to_payment
    from {{ ref('fct_claims') }} as claims
    inner join cutoff
        on claims.first_payment_date <= cutoff.as_of_date
    where claims.submission_date <= claims.first_payment_date
        and claims.payer_id is not null

)

, by_lag as (

    select payer_id, days_to_payment, count(*) as paid_claims
    from paid_claims
    group by payer_id, days_to_payment

    union all

    select '*', days_to_payment, count(*)
    from paid_claims
    group by days_to_payment

)

, shared as (

    select
        payer_id
        , days_to_payment
        , paid_claims
        , sum(paid_claims) over (partition by payer_id) as payer_paid_claims
        , sum(paid_claims) over (
            partition by payer_id order by days_to_payment
            rows between unbounded preceding and current row
        ) as cumulative_paid_claims
    from by_lag

)

select
    cutoff.as_of_date
    , cast(shared.payer_id as varchar) as payer_id
    , cast(shared.days_to_payment as integer) as days_to_payment
    , cast(floor(shared.days_to_payment / 7.0) as integer) as week_offset
    , cast(shared.paid_claims as bigint) as paid_claims
    , cast(shared.payer_paid_claims as bigint) as payer_paid_claims
    , cast({{ safe_divide('shared.paid_claims', 'shared.payer_paid_claims') }} as float8) as payment_share
    , cast({{ safe_divide('shared.cumulative_paid_claims', 'shared.payer_paid_claims') }} as float8)
        as cumulative_share
from shared
cross join cutoff
