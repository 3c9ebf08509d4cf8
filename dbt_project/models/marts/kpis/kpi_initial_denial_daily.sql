{#-
    initial denial rate (adjudication-based) by first-adjudication day × facility × service
    line × payer: counts and charge dollars
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_adjudication_date is not null

)

{{ kpi_grain_rollup('claims', 'first_adjudication_date', measures=[
    {'name': 'adjudicated_claims', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'denied_claims', 'aggregate': 'sum(case when first_adjudication_denied then 1 else 0 end)', 'type': 'bigint'},
    {'name': 'adjudicated_charges', 'aggregate': 'sum(charge_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'denied_charges', 'aggregate': 'sum(case when first_adjudication_denied then charge_amount else 0 end)', 'type': 'decimal(18, 2)'},
]) }}
