{#-
    scheduling-to-revenue lag by first-payment day × facility × service line × payer: day sums
    and counts of the total and of each hop
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_payment_date is not null

)

{{ kpi_grain_rollup('claims', 'first_payment_date', measures=[
    {'name': 'paid_claims', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'lag_claims', 'aggregate': 'count(scheduling_to_revenue_lag_days)', 'type': 'bigint'},
    {'name': 'lag_days_sum', 'aggregate': 'sum(scheduling_to_revenue_lag_days)', 'expression': 'coalesce(lag_days_sum, 0)', 'type': 'bigint'},
    {'name': 'booked_to_service_claims', 'aggregate': 'count(booked_to_service_days)', 'type': 'bigint'},
    {'name': 'booked_to_service_days_sum', 'aggregate': 'sum(booked_to_service_days)', 'expression': 'coalesce(booked_to_service_days_sum, 0)', 'type': 'bigint'},
    {'name': 'service_to_submission_claims', 'aggregate': 'count(service_to_submission_days)', 'type': 'bigint'},
    {'name': 'service_to_submission_days_sum', 'aggregate': 'sum(service_to_submission_days)', 'expression': 'coalesce(service_to_submission_days_sum, 0)', 'type': 'bigint'},
    {'name': 'submission_to_payment_claims', 'aggregate': 'count(submission_to_payment_days)', 'type': 'bigint'},
    {'name': 'submission_to_payment_days_sum', 'aggregate': 'sum(submission_to_payment_days)', 'expression': 'coalesce(submission_to_payment_days_sum, 0)', 'type': 'bigint'},
]) }}
