{#-
    Denial write-offs (HFMA MAP Key AR-6 basis) by day × facility × service line × payer:
    ratio = (denial_write_off_amount − recovered_amount) / net_patient_service_revenue.
    Write-offs are dated by their posting, recoveries (payer payments after the write-off) by
    their payment, net patient service revenue (expected reimbursement, DESIGN §4) by the date
    of service: billed claims plus the estimate for completed visits not billed yet
    (fct_ar_movements), kept apart so either can be read.
-#}
with activity as (

    select
        denial_write_off_date as kpi_date
        {{- kpi_grain_columns() }}
        , 1 as written_off_denials
        , denial_write_off_amount
        , 0 as recovered_amount
        , 0 as npsr_billed
        , 0 as npsr_unbilled_estimate
    from {{ ref('fct_denials') }}
    where denial_write_off_date is not null

    union all

    select
        recovery_date
        {{- kpi_grain_columns() }}
        , 0
        , 0
        , recovered_amount
        , 0
        , 0
    from {{ ref('fct_denials') }}
    where recovery_date is not null

    union all

    select
        movement_date
        {{- kpi_grain_columns() }}
        , 0
        , 0
        , 0
        , case when is_estimate then 0 else revenue_amount end
        , case when is_estimate then revenue_amount else 0 end
    from {{ ref('fct_ar_movements') }}
    where revenue_amount <> 0

)

{{ kpi_grain_rollup('activity', 'kpi_date', measures=[
    {'name': 'written_off_denials', 'aggregate': 'sum(written_off_denials)', 'type': 'bigint'},
    {'name': 'denial_write_off_amount', 'aggregate': 'sum(denial_write_off_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'recovered_amount', 'aggregate': 'sum(recovered_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'net_denial_write_off_amount', 'expression': 'denial_write_off_amount - recovered_amount', 'type': 'decimal(18, 2)'},
    {'name': 'npsr_billed', 'aggregate': 'sum(npsr_billed)', 'type': 'decimal(18, 2)'},
    {'name': 'npsr_unbilled_estimate', 'aggregate': 'sum(npsr_unbilled_estimate)', 'type': 'decimal(18, 2)'},
    {'name': 'net_patient_service_revenue', 'expression': 'npsr_billed + npsr_unbilled_estimate', 'type': 'decimal(18, 2)'},
]) }}
