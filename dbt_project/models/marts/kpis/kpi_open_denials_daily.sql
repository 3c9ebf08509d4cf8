{#-
    Open denials at the end of each day up to the as-of date, by day × facility × service line ×
    payer × age bucket (DESIGN §4, open denials by age and appeal deadline): a denial is open
    from its first denied adjudication until its resolution day (excluded); age = days since
    that denial; past the appeal deadline = the deadline is before the day. A snapshot: read
    one day (the period end), never a sum over days.
-#}
with denials as (

    select * from {{ ref('fct_denials') }}

)

, calendar as (

    select calendar_date from {{ ref('kpi_calendar') }}

)

, age_buckets as (

    select '0-30' as age_bucket, 0 as min_age_days, 30 as max_age_days
    union all select '31-60', 31, 60
    union all select '61-90', 61, 90
    union all select '91+', 91, null

)

, open_days as (

    select
        calendar.calendar_date
        , denials.*
        , {{ days_between('denials.first_denial_date', 'calendar.calendar_date') }} as age_days
    from denials
    inner join calendar
        on calendar.calendar_date >= denials.first_denial_date
        and (denials.resolution_date is null or calendar.calendar_date < denials.resolution_date)

)

, bucketed as (

    select
        open_days.*
        , age_buckets.age_bucket
    from open_days
    inner join age_buckets
        on open_days.age_days >= age_buckets.min_age_days
        and (age_buckets.max_age_days is null or open_days.age_days <= age_buckets.max_age_days)

)

{{ kpi_grain_rollup('bucketed', 'calendar_date', extra_dimensions=['age_bucket'], measures=[
    {'name': 'open_denials', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'past_appeal_deadline', 'type': 'bigint',
        'aggregate': 'sum(case when appeal_deadline_date < calendar_date then 1 else 0 end)'},
    {'name': 'appealed', 'type': 'bigint',
        'aggregate': 'sum(case when appeal_filed_date <= calendar_date then 1 else 0 end)'},
    {'name': 'open_denied_charges', 'aggregate': 'sum(charge_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'open_expected_reimbursement', 'type': 'decimal(18, 2)',
        'aggregate': 'sum(coalesce(expected_reimbursement, 0))'},
]) }}
