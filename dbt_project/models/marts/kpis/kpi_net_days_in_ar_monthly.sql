{#-
    Net days in A/R (HFMA) at each month end and at the as-of date, by period end × facility ×
    service line × payer: net_days_in_ar = net_ar_amount / (npsr_90d / revenue_days). The rows of
    kpi_net_ar_daily on the period ends; sum net_ar_amount and npsr_90d over the rows of one
    period end before dividing.
-#}
with balances as (

    select * from {{ ref('kpi_net_ar_daily') }}

)

, period_ends as (

    select calendar_date from {{ ref('kpi_calendar') }}
    where is_period_end

)

select
    cast(balances.kpi_date as date) as period_end
    , cast({{ truncate_date('month', 'balances.kpi_date') }} as date) as kpi_month
    {{- kpi_grain_typed_columns('balances.') }}
    , cast(balances.net_ar_amount as decimal(18, 2)) as net_ar_amount
    , cast(balances.unbilled_estimate_amount as decimal(18, 2)) as unbilled_estimate_amount
    , cast(balances.npsr_90d as decimal(18, 2)) as npsr_90d
    , cast(balances.revenue_days as integer) as revenue_days
    , cast(balances.average_daily_npsr as float8) as average_daily_npsr
    , cast({{ safe_divide('balances.net_ar_amount', 'balances.average_daily_npsr') }} as float8)
        as net_days_in_ar
from balances
inner join period_ends
    on period_ends.calendar_date = balances.kpi_date
