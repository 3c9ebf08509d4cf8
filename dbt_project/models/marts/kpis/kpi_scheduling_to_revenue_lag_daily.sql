{#-
    scheduling-to-revenue lag by first-payment day × facility × service line × payer: day sums
    and counts of the total and of each hop
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_payment_date is not null

)

, aggregated as (

    select
        first_payment_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as paid_claims
        , count(scheduling_to_revenue_lag_days) as lag_claims
        , sum(scheduling_to_revenue_lag_days) as lag_days_sum
        , count(booked_to_service_days) as booked_to_service_claims
        , sum(booked_to_service_days) as booked_to_service_days_sum
        , count(service_to_submission_days) as service_to_submission_claims
        , sum(service_to_submission_days) as service_to_submission_days_sum
        , count(submission_to_payment_days) as submission_to_payment_claims
        , sum(submission_to_payment_days) as submission_to_payment_days_sum
    from claims
    group by
        first_payment_date
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
    , cast(paid_claims as bigint) as paid_claims
    , cast(lag_claims as bigint) as lag_claims
    , cast(coalesce(lag_days_sum, 0) as bigint) as lag_days_sum
    , cast(booked_to_service_claims as bigint) as booked_to_service_claims
    , cast(coalesce(booked_to_service_days_sum, 0) as bigint) as booked_to_service_days_sum
    , cast(service_to_submission_claims as bigint) as service_to_submission_claims
    , cast(coalesce(service_to_submission_days_sum, 0) as bigint) as service_to_submission_days_sum
    , cast(submission_to_payment_claims as bigint) as submission_to_payment_claims
    , cast(coalesce(submission_to_payment_days_sum, 0) as bigint) as submission_to_payment_days_sum
from aggregated
