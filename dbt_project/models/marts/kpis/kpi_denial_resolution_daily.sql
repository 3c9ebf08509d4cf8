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

{{ kpi_grain_rollup('denials', 'resolution_date', measures=[
    {'name': 'resolved_denials', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'resolution_days_sum', 'aggregate': 'sum(days_to_resolution)', 'expression': 'coalesce(resolution_days_sum, 0)', 'type': 'bigint'},
    {'name': 'resolved_by_payment', 'aggregate': "sum(case when resolution_type = 'paid' then 1 else 0 end)", 'type': 'bigint'},
    {'name': 'resolved_by_write_off', 'aggregate': "sum(case when resolution_type = 'write_off' then 1 else 0 end)", 'type': 'bigint'},
]) }}
