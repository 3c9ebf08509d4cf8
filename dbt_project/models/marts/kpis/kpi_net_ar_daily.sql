{#-
    Net A/R and its revenue base at the end of every day up to the as-of date, by day × facility
    × service line × payer (HFMA net days in A/R, DESIGN §4):
    - net_ar_amount = Σ fct_ar_movements up to the day (expected reimbursement of the services
      rendered, billed or not, − payer and patient payments + refunds − write-offs);
    - npsr_90d = net patient service revenue of the revenue_days (var
      'net_days_in_ar_revenue_days', 90) ending on the day; average_daily_npsr = npsr_90d /
      revenue_days.
    Net days in A/R = Σ net_ar_amount / (Σ npsr_90d / revenue_days) over the rows of ONE day: a
    balance, read at the period end, never summed over days. The series is dense from each
    group's first movement, so the running windows count days, not rows.
-#}
{%- set revenue_days = var('net_days_in_ar_revenue_days', 90) %}

with movements as (

    select * from {{ ref('fct_ar_movements') }}

)

, calendar as (

    select calendar_date from {{ ref('kpi_calendar') }}

)

, groups as (

    select
        min(movement_date) as first_movement_date
        {{- kpi_grain_columns() }}
    from movements
    group by {{ kpi_grain_dimensions() | join(', ') }}

)

, daily as (

    -- a zero row for every day of every group, then the day's movements
    select
        calendar.calendar_date as kpi_date
        {{- kpi_grain_columns('groups.') }}
        , 0 as ar_amount
        , 0 as revenue_amount
        , 0 as estimated_amount
    from groups
    inner join calendar
        on calendar.calendar_date >= groups.first_movement_date

    union all

    select
        movements.movement_date
        {{- kpi_grain_columns('movements.') }}
        , movements.ar_amount
        , movements.revenue_amount
        , case when movements.is_estimate then movements.ar_amount else 0 end
    from movements
    inner join calendar
        on calendar.calendar_date = movements.movement_date

)

, by_day as (

    select
        kpi_date
        {{- kpi_grain_columns() }}
        , sum(ar_amount) as ar_change
        , sum(revenue_amount) as revenue
        , sum(estimated_amount) as estimated_change
    from daily
    group by
        kpi_date
        {{- kpi_grain_columns() }}

)

, running as (

    select
        by_day.*
        , sum(ar_change) over (
            partition by {{ kpi_grain_dimensions() | join(', ') }}
            order by kpi_date
            rows between unbounded preceding and current row
        ) as net_ar_amount
        , sum(estimated_change) over (
            partition by {{ kpi_grain_dimensions() | join(', ') }}
            order by kpi_date
            rows between unbounded preceding and current row
        ) as unbilled_estimate_amount
        , sum(revenue) over (
            partition by {{ kpi_grain_dimensions() | join(', ') }}
            order by kpi_date
            rows between {{ revenue_days - 1 }} preceding and current row
        ) as npsr_90d
    from by_day

)

select
    cast(kpi_date as date) as kpi_date
    {{- kpi_grain_typed_columns() }}
    , cast(ar_change as decimal(18, 2)) as ar_change
    , cast(net_ar_amount as decimal(18, 2)) as net_ar_amount
    , cast(unbilled_estimate_amount as decimal(18, 2)) as unbilled_estimate_amount
    , cast(revenue as decimal(18, 2)) as net_patient_service_revenue
    , cast(npsr_90d as decimal(18, 2)) as npsr_90d
    , cast({{ revenue_days }} as integer) as revenue_days
    , cast({{ safe_divide('npsr_90d', revenue_days) }} as float8) as average_daily_npsr
from running
