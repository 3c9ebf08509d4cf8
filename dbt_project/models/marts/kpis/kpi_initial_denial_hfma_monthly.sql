{#-
    HFMA Claim Integrity Task Force initial denial rate, by month × facility × service line ×
    payer, as a 3-month average (the month and the two before it): claims whose first
    adjudication in those months is denied / claims submitted in those months (a ratio of the
    3-month sums). The adjudication-based rate divides by adjudications instead
    (kpi_initial_denial_daily).
-#}
with activity as (

    select
        {{ truncate_date('month', 'kpi_date') }} as activity_month
        {{- kpi_grain_columns() }}
        , denied_claims
        , 0 as submitted_claims
    from {{ ref('kpi_initial_denial_daily') }}

    union all

    select
        {{ truncate_date('month', 'kpi_date') }}
        {{- kpi_grain_columns() }}
        , 0
        , submitted_claims
    from {{ ref('kpi_first_pass_acceptance_daily') }}

)

, carried_forward as (

    -- each month's activity counts in its own month and the two after it
    select
        {{ truncate_date('month', add_days_to_date('activity_month', 'months_ahead.days_ahead')) }}
            as kpi_month
        , months_ahead.months_ahead
        , activity.*
    from activity
    cross join (
        select 0 as months_ahead, 0 as days_ahead
        union all select 1, 31
        union all select 2, 62
    ) as months_ahead

)

{{ kpi_grain_rollup('carried_forward', 'kpi_month', period_column='kpi_month', measures=[
    {'name': 'denied_claims', 'type': 'bigint',
        'aggregate': 'sum(case when months_ahead = 0 then denied_claims else 0 end)'},
    {'name': 'submitted_claims', 'type': 'bigint',
        'aggregate': 'sum(case when months_ahead = 0 then submitted_claims else 0 end)'},
    {'name': 'denied_claims_3m', 'aggregate': 'sum(denied_claims)', 'type': 'bigint'},
    {'name': 'submitted_claims_3m', 'aggregate': 'sum(submitted_claims)', 'type': 'bigint'},
]) }}
