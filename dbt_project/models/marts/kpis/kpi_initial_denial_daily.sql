{#-
    initial denial rate (adjudication-based) by first-adjudication day × facility × service
    line × payer: counts and charge dollars
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
        , count(*) as adjudicated_claims
        , sum(case when first_adjudication_denied then 1 else 0 end) as denied_claims
        , sum(charge_amount) as adjudicated_charges
        , sum(case when first_adjudication_denied then charge_amount else 0 end) as denied_charges
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
    , cast(adjudicated_claims as bigint) as adjudicated_claims
    , cast(denied_claims as bigint) as denied_claims
    , cast(adjudicated_charges as decimal(18, 2)) as adjudicated_charges
    , cast(denied_charges as decimal(18, 2)) as denied_charges
from aggregated
