{#-
    HFMA Claim Integrity Task Force initial denial rate, by month × facility × service line ×
    payer, as a 3-month average (the month and the two before it): claims whose first
    adjudication in those months is denied / claims submitted in those months (a ratio of the
    3-month sums). The adjudication-based rate divides by adjudications instead
    (kpi_initial_denial_daily).
-#}
with activity as (

    select
        {{ truncate_date('month', 'kpi_date') }} as activity_month
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , denied_claims
        , 0 as submitted_claims
    from {{ ref('kpi_initial_denial_daily') }}

    union all

    select
        {{ truncate_date('month', 'kpi_date') }}
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , 0
        , submitted_claims
    from {{ ref('kpi_first_pass_acceptance_daily') }}

)

, carried_forward as (

    -- each month's activity counts in its own month and the two after it
    select
        {{ truncate_date('month', add_days_to_date('activity_month', 'months_ahead.days_ahead')) }}
            as kpi_month
        , months_ahead.months_ahead
        , activity.*
    from activity
    cross join (
        select 0 as months_ahead, 0 as days_ahead
        union all select 1, 31
        union all select 2, 62
    ) as months_ahead

)

, aggregated as (

    select
        kpi_month
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , sum(denied_claims) as denied_claims_3m
        , sum(submitted_claims) as submitted_claims_3m
        , sum(case when months_ahead = 0 then denied_claims else 0 end) as denied_claims
        , sum(case when months_ahead = 0 then submitted_claims else 0 end) as submitted_claims
    from carried_forward
    group by
        kpi_month
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name

)

select
    cast(kpi_month as date) as kpi_month
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(denied_claims as bigint) as denied_claims
    , cast(submitted_claims as bigint) as submitted_claims
    , cast(denied_claims_3m as bigint) as denied_claims_3m
    , cast(submitted_claims_3m as bigint) as submitted_claims_3m
from aggregated
