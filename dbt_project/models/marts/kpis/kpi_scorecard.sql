{#-
    Headline KPIs over all claims: one row per facility plus facility_code = 'ALL' (claims whose
    facility NPI is unmapped are reported as 'UNMAPPED'). Medians and p90 are continuous
    percentiles over the claim-level facts of fct_claims, never medians of medians.
-#}
{%- set measures %}
        count(first_adjudication_date) as claims_adjudicated
        , {{ median('cycle_time_days') }} as claim_cycle_time_median_days
        , {{ percentile_cont('cycle_time_days', 0.9) }} as claim_cycle_time_p90_days
        , sum(case when first_adjudication_denied then 1 else 0 end) as initial_denial_numerator
        , count(first_adjudication_date) as initial_denial_denominator
        , sum(case when first_adjudication_denied then charge_amount else 0 end) as initial_denied_charges
        , sum(case when first_adjudication_date is not null then charge_amount else 0 end)
            as initial_adjudicated_charges
        , {{ median('scheduling_to_revenue_lag_days') }} as scheduling_to_revenue_lag_median_days
        , count(first_payment_date) as paid_claims
{%- endset %}

with claims as (

    select
        coalesce(facility_code, 'UNMAPPED') as facility_code
        , first_adjudication_date
        , first_adjudication_denied
        , first_payment_date
        , charge_amount
        , cycle_time_days
        , scheduling_to_revenue_lag_days
    from {{ ref('fct_claims') }}

)

, by_facility as (

    select
        facility_code
        , {{ measures }}
    from claims
    group by facility_code

)

, overall as (

    select
        'ALL' as facility_code
        , {{ measures }}
    from claims

)

, unioned as (

    select * from by_facility
    union all
    select * from overall

)

select
    cast(facility_code as varchar) as facility_code
    , cast(claims_adjudicated as bigint) as claims_adjudicated
    , cast(claim_cycle_time_median_days as float8) as claim_cycle_time_median_days
    , cast(claim_cycle_time_p90_days as float8) as claim_cycle_time_p90_days
    , cast(coalesce(initial_denial_numerator, 0) as bigint) as initial_denial_numerator
    , cast(initial_denial_denominator as bigint) as initial_denial_denominator
    , cast({{ safe_divide('initial_denial_numerator', 'initial_denial_denominator') }} as float8)
        as initial_denial_rate
    , cast(coalesce(initial_denied_charges, 0) as decimal(18, 2)) as initial_denied_charges
    , cast(coalesce(initial_adjudicated_charges, 0) as decimal(18, 2)) as initial_adjudicated_charges
    , cast({{ safe_divide('initial_denied_charges', 'initial_adjudicated_charges') }} as float8)
        as initial_denial_rate_dollars
    , cast(scheduling_to_revenue_lag_median_days as float8) as scheduling_to_revenue_lag_median_days
    , cast(paid_claims as bigint) as paid_claims
from unioned
