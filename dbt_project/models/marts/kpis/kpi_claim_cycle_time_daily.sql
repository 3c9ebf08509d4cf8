{#-
    claim cycle time by first-adjudication day × facility × service line × payer: numerator
    and denominator of the mean (medians and p90 from fct_claims)
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_adjudication_date is not null

)

{{ kpi_grain_rollup('claims', 'first_adjudication_date', measures=[
    {'name': 'claims_adjudicated', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'cycle_time_claims', 'aggregate': 'count(cycle_time_days)', 'type': 'bigint'},
    {'name': 'cycle_time_days_sum', 'aggregate': 'sum(cycle_time_days)', 'expression': 'coalesce(cycle_time_days_sum, 0)', 'type': 'bigint'},
]) }}
