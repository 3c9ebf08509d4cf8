{#-
    Payment-timing curve per payer as of the cut-off C: Kaplan–Meier over the days from
    submission (BHT04 of the accepted 837) to first payment (BPR16), on every primary claim
    submitted on or before C (the claims at risk), so claims still unpaid at C count as known
    unpaid for their age instead of being ignored (a curve of paid claims only is
    right-censored: all its mass falls early). Per claim:
    - first adjudicated as a denial on or before C: censored at that adjudication (its money is
      the denial probability's share, not the curve's; a later appeal payment is not a first
      payment on adjudication);
    - else first paid on or before C: an event at the lag;
    - else: censored at the cut-off (lag = age).
    S(l) = Π over event lags l' ≤ l of (1 − paid(l') / at_risk(l')); payment_share(l) = S(l⁻) − S(l).
    Tail (is_extrapolated): the mass S(L) left beyond the longest event lag L is spread with a
    constant daily hazard h = 1 − (S(L) / S(L − 7))^(1/7), the rate at which the curve paid over
    its last 7 days (a week: payers pay in weekly runs), for var('forecast_tail_days', 364) days;
    the last row (L + tail days + 1) holds what remains after them. Σ payment_share = 1;
    cumulative_share = 1 − S(l).
    payer_id '*' = all payers (the fallback curve). A recursive CTE multiplies the KM factors in
    lag order, so both engines compute the same doubles.
-#}
{%- set tail_days = var('forecast_tail_days', 364) %}

with recursive cutoff as (

    select as_of_date from {{ ref('forecast_as_of_date') }}

)

, claims_at_risk as (

    select
        claims.payer_id
        , case
            when claims.first_adjudication_date <= cutoff.as_of_date and claims.first_adjudication_denied
                then {{ days_between('claims.submission_date', 'claims.first_adjudication_date') }}
            when claims.first_payment_date <= cutoff.as_of_date
                then {{ days_between('claims.submission_date', 'claims.first_payment_date') }}
            else {{ days_between('claims.submission_date', 'cutoff.as_of_date') }}
        end as duration_days
        , case
            when claims.first_adjudication_date <= cutoff.as_of_date and claims.first_adjudication_denied then 0
            when claims.first_payment_date <= cutoff.as_of_date then 1
            else 0
        end as is_paid
    from {{ ref('fct_claims') }} as claims
    inner join cutoff
        on claims.submission_date <= cutoff.as_of_date
    where claims.payer_id is not null
        -- a payment or adjudication dated before the submission is not a lag
        and (claims.first_payment_date is null or claims.first_payment_date >= claims.submission_date)
        and (claims.first_adjudication_date is null or claims.first_adjudication_date >= claims.submission_date)

)

, by_duration as (

    select payer_id, duration_days, count(*) as exits, sum(is_paid) as paid_claims
    from claims_at_risk
    group by payer_id, duration_days

    union all

    select '*', duration_days, count(*), sum(is_paid)
    from claims_at_risk
    group by duration_days

)

, risk_sets as (

    select
        payer_id
        , duration_days
        , paid_claims
        , sum(exits) over (
            partition by payer_id order by duration_days desc
            rows between unbounded preceding and current row
        ) as claims_at_risk
        , sum(paid_claims) over (partition by payer_id) as payer_paid_claims
    from by_duration

)

, event_steps as (

    select
        payer_id
        , duration_days
        , paid_claims
        , claims_at_risk
        , payer_paid_claims
        , row_number() over (partition by payer_id order by duration_days) as step
        , 1 - {{ safe_divide('paid_claims', 'claims_at_risk') }} as survival_factor
    from risk_sets
    where paid_claims > 0

)

, kaplan_meier (payer_id, step, survival, survival_before) as (

    select payer_id, step, survival_factor, cast(1 as float8)
    from event_steps
    where step = 1

    union all

    select event_steps.payer_id, event_steps.step, kaplan_meier.survival * event_steps.survival_factor
        , kaplan_meier.survival
    from kaplan_meier
    inner join event_steps
        on event_steps.payer_id = kaplan_meier.payer_id
        and event_steps.step = kaplan_meier.step + 1

)

, observed as (

    select
        event_steps.payer_id
        , event_steps.duration_days as days_to_payment
        , event_steps.claims_at_risk
        , event_steps.paid_claims
        , event_steps.payer_paid_claims
        , kaplan_meier.survival_before - kaplan_meier.survival as payment_share
        , kaplan_meier.survival
    from event_steps
    inner join kaplan_meier
        on kaplan_meier.payer_id = event_steps.payer_id
        and kaplan_meier.step = event_steps.step

)

, curve_ends as (

    -- per curve: longest event lag L, S(L), S(L − 7) (1 before the first event) and the hazard
    select
        last_event.payer_id
        , last_event.days_to_payment as last_lag
        , last_event.payer_paid_claims
        , last_event.survival as tail_share
        , 1 - power(
            last_event.survival / coalesce(week_before.survival, 1), cast(1 as float8) / 7
        ) as daily_hazard
    from observed as last_event
    left join observed as week_before
        on week_before.payer_id = last_event.payer_id
        and week_before.days_to_payment = (
            select max(earlier.days_to_payment) from observed as earlier
            where earlier.payer_id = last_event.payer_id
                and earlier.days_to_payment <= last_event.days_to_payment - 7
        )
    where last_event.days_to_payment = (
        select max(latest.days_to_payment) from observed as latest
        where latest.payer_id = last_event.payer_id
    )
        and last_event.survival > 0

)

, tail_days as (

    select day_offset from generate_series(1, {{ tail_days + 1 }}) as tail(day_offset)

)

, extrapolated as (

    select
        curve_ends.payer_id
        , curve_ends.last_lag + tail_days.day_offset as days_to_payment
        , curve_ends.payer_paid_claims
        , case
            when tail_days.day_offset <= {{ tail_days }}
                then curve_ends.tail_share * curve_ends.daily_hazard
                    * power(1 - curve_ends.daily_hazard, tail_days.day_offset - 1)
            -- the last row: all that remains after the tail days
            else curve_ends.tail_share * power(1 - curve_ends.daily_hazard, {{ tail_days }})
        end as payment_share
        , case
            when tail_days.day_offset <= {{ tail_days }}
                then curve_ends.tail_share * power(1 - curve_ends.daily_hazard, tail_days.day_offset)
            else 0
        end as survival
    from curve_ends
    cross join tail_days

)

, curve as (

    select
        payer_id, days_to_payment, claims_at_risk, paid_claims, payer_paid_claims, payment_share, survival
        , false as is_extrapolated
    from observed

    union all

    select payer_id, days_to_payment, null, 0, payer_paid_claims, payment_share, survival, true
    from extrapolated

)

select
    cutoff.as_of_date
    , cast(curve.payer_id as varchar) as payer_id
    , cast(curve.days_to_payment as integer) as days_to_payment
    , cast(floor(curve.days_to_payment / 7.0) as integer) as week_offset
    , cast(curve.claims_at_risk as bigint) as claims_at_risk
    , cast(curve.paid_claims as bigint) as paid_claims
    , cast(curve.payer_paid_claims as bigint) as payer_paid_claims
    , cast(curve.payment_share as float8) as payment_share
    -- 1 − S(l), not a running sum: the same doubles on both engines
    , cast(1 - curve.survival as float8) as cumulative_share
    , cast(curve.is_extrapolated as boolean) as is_extrapolated
from curve
cross join cutoff
