{#-
    Denial resolution speed by resolution day × facility × service line × payer (DESIGN §4):
    days from the first denied adjudication to its resolution (a later adjudication with
    CLP04 > 0, or a denial write-off); mean = resolution_days_sum / resolved_denials, the median
    from fct_denials.days_to_resolution.
-#}
with denials as (

    select * from {{ ref('fct_denials') }}
    where resolution_date is not null

)

, aggregated as (

    select
        resolution_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as resolved_denials
        , sum(days_to_resolution) as resolution_days_sum
        , sum(case when resolution_type = 'paid' then 1 else 0 end) as resolved_by_payment
        , sum(case when resolution_type = 'write_off' then 1 else 0 end) as resolved_by_write_off
    from denials
    group by
        resolution_date
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
    , cast(resolved_denials as bigint) as resolved_denials
    , cast(coalesce(resolution_days_sum, 0) as bigint) as resolution_days_sum
    , cast(resolved_by_payment as bigint) as resolved_by_payment
    , cast(resolved_by_write_off as bigint) as resolved_by_write_off
from aggregated
