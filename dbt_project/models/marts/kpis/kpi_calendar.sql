{#-
    One row per day from the first date of service to the as-of date (kpi_as_of_date): the
    spine of the daily balance marts (net A/R, open denials). is_period_end marks the month
    ends and the as-of date, the period ends of the monthly snapshots. Days are numbered by a
    cross join of digits (up to 100 000 days), plain SQL on every engine.
-#}
with digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

)

, day_numbers as (

    select
        ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit
            + 10000 * ten_thousands.digit as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

)

, days as (

    select
        {{ add_days_to_date('reporting.first_service_date', 'day_numbers.day_number') }}
            as calendar_date
        , reporting.as_of_date
    from {{ ref('kpi_as_of_date') }} as reporting
    inner join day_numbers
        on day_numbers.day_number
            <= {{ days_between('reporting.first_service_date', 'reporting.as_of_date') }}

)

select
    cast(calendar_date as date) as calendar_date
    , cast({{ truncate_date('month', 'calendar_date') }} as date) as calendar_month
    , cast(
        {{ truncate_date('month', add_days_to_date('calendar_date', 1)) }}
            <> {{ truncate_date('month', 'calendar_date') }}
        or calendar_date = as_of_date
        as boolean
    ) as is_period_end
    , cast(calendar_date = as_of_date as boolean) as is_as_of_date
from days
