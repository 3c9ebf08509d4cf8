{#-
    claim cycle time by first-adjudication day × facility × service line × payer: numerator
    and denominator of the mean (medians and p90 from fct_claims)
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_adjudication_date is not null

)

, aggregated as (

    select
        first_adjudication_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as claims_adjudicated
        , count(cycle_time_days) as cycle_time_claims
        , sum(cycle_time_days) as cycle_time_days_sum
    from claims
    group by
        first_adjudication_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name

)

select
    cast(kpi_date as date) as kpi_date
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(claims_adjudicated as bigint) as claims_adjudicated
    , cast(cycle_time_claims as bigint) as cycle_time_claims
    , cast(coalesce(cycle_time_days_sum, 0) as bigint) as cycle_time_days_sum
from aggregated
