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

, aggregated as (

    select
        open_days.calendar_date as kpi_date
        , open_days.facility_code
        , open_days.legal_entity_code
        , open_days.service_line
        , open_days.payer_id
        , open_days.payer_name
        , age_buckets.age_bucket
        , count(*) as open_denials
        , sum(
            case when open_days.appeal_deadline_date < open_days.calendar_date then 1 else 0 end
        ) as past_appeal_deadline
        , sum(case when open_days.appeal_filed_date <= open_days.calendar_date then 1 else 0 end)
            as appealed
        , sum(open_days.charge_amount) as open_denied_charges
        , sum(coalesce(open_days.expected_reimbursement, 0)) as open_expected_reimbursement
    from open_days
    inner join age_buckets
        on open_days.age_days >= age_buckets.min_age_days
        and (age_buckets.max_age_days is null or open_days.age_days <= age_buckets.max_age_days)
    group by
        open_days.calendar_date
        , open_days.facility_code
        , open_days.legal_entity_code
        , open_days.service_line
        , open_days.payer_id
        , open_days.payer_name
        , age_buckets.age_bucket

)

select
    cast(kpi_date as date) as kpi_date
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(age_bucket as varchar) as age_bucket
    , cast(open_denials as bigint) as open_denials
    , cast(past_appeal_deadline as bigint) as past_appeal_deadline
    , cast(appealed as bigint) as appealed
    , cast(open_denied_charges as decimal(18, 2)) as open_denied_charges
    , cast(open_expected_reimbursement as decimal(18, 2)) as open_expected_reimbursement
from aggregated
