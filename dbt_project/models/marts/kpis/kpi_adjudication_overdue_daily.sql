{#-
    Claims without adjudication 45 days after submission (DESIGN §4, reconciliation breaks) by
    due day (submission + var('adjudication_sla_days', 45)) × facility × service line × payer,
    for due days up to the as-of date: claims_due reached their due day; overdue_claims of
    them, not voided, have no adjudication as of the as-of date (the open break). A sum over
    due days gives the breaks that fell due in a period and are still open.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}

)

, as_of as (

    select as_of_date from {{ ref('kpi_as_of_date') }}

)

, flagged as (

    select
        claims.*
        , not claims.is_voided
            and (
                claims.first_adjudication_date is null
                or claims.first_adjudication_date > as_of.as_of_date
            ) as is_overdue
    from claims
    cross join as_of
    where claims.adjudication_due_date <= as_of.as_of_date

)

, aggregated as (

    select
        adjudication_due_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as claims_due
        , sum(case when is_overdue then 1 else 0 end) as overdue_claims
        , sum(case when is_overdue then charge_amount else 0 end) as overdue_charges
    from flagged
    group by
        adjudication_due_date
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
    , cast(claims_due as bigint) as claims_due
    , cast(overdue_claims as bigint) as overdue_claims
    , cast(overdue_charges as decimal(18, 2)) as overdue_charges
from aggregated
