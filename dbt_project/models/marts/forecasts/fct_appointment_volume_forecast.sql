{#-
    Appointment volume forecast by forecast week × facility × service line, as of the cut-off C
    (forecast_as_of_date), for var('forecast_horizon_weeks', 8) weeks counted from C (week n
    covers C + 7(n − 1) + 1 … C + 7n):

    - booked_appointments = appointments booked on or before C for a day after C;
    - expected_new_bookings = Σ over the week's days C + k of r × F(k − 1): r = appointments
      booked per day in the 28 days up to C, F(x) = share of the facility's observed booking
      lead times (appointment date − booked date, appointments up to C) ≤ x: an appointment on
      C + k is booked after C only with a lead time below k;
    - expected_visits = (booked + new) × (1 − cancellation rate) × (1 − no-show rate), the rates
      of kpi_appointment_outcomes_daily up to C (cancellations / booked; no-shows / (completed
      + no-shows)), facility × service line.
-#}
{%- set horizon_days = 7 * var('forecast_horizon_weeks', 8) %}

with cutoff as (

    select as_of_date, model_version from {{ ref('forecast_as_of_date') }}

)

, appointments as (

    select
        appointments.facility_code
        , appointments.service_line
        , appointments.appointment_date
        , appointments.booked_date
        , {{ days_between('cutoff.as_of_date', 'appointments.appointment_date') }} as days_after_cutoff
        , {{ days_between('appointments.booked_date', 'cutoff.as_of_date') }} as days_since_booking
        , {{ days_between('appointments.booked_date', 'appointments.appointment_date') }} as lead_days
    from {{ ref('fct_appointments') }} as appointments
    cross join cutoff
    where appointments.booked_date <= cutoff.as_of_date
        and appointments.facility_code is not null

)

, horizon_days as (

    select day_offset from generate_series(1, {{ horizon_days }}) as horizon(day_offset)

)

, segments as (

    select facility_code, service_line, cast(count(*) as float8) / 28 as bookings_per_day
    from appointments
    where days_since_booking < 28
    group by facility_code, service_line

)

, lead_times as (

    select facility_code, lead_days, count(*) as appointments
    from appointments
    where days_after_cutoff <= 0
        and lead_days >= 0
    group by facility_code, lead_days

)

, lead_share as (

    -- F(k − 1) per facility and horizon day k
    select
        horizon_days.day_offset
        , lead_times.facility_code
        , {{ safe_divide(
            'sum(case when lead_times.lead_days <= horizon_days.day_offset - 1 then lead_times.appointments else 0 end)',
            'sum(lead_times.appointments)'
        ) }} as booked_within_share
    from horizon_days
    cross join lead_times
    group by horizon_days.day_offset, lead_times.facility_code

)

, new_bookings as (

    select
        cast(floor((lead_share.day_offset - 1) / 7.0) as integer) + 1 as forecast_week_number
        , segments.facility_code
        , segments.service_line
        , sum(segments.bookings_per_day * lead_share.booked_within_share) as expected_new_bookings
    from segments
    inner join lead_share
        on lead_share.facility_code = segments.facility_code
    group by 1, segments.facility_code, segments.service_line

)

, booked as (

    select
        cast(floor((days_after_cutoff - 1) / 7.0) as integer) + 1 as forecast_week_number
        , facility_code
        , service_line
        , count(*) as booked_appointments
    from appointments
    where days_after_cutoff between 1 and {{ horizon_days }}
    group by 1, facility_code, service_line

)

, outcome_rates as (

    select
        outcomes.facility_code
        , outcomes.service_line
        , {{ safe_divide('sum(outcomes.appointments_cancelled)', 'sum(outcomes.appointments_booked)') }}
            as cancellation_rate
        , {{ safe_divide(
            'sum(outcomes.appointments_no_show)',
            'sum(outcomes.appointments_completed) + sum(outcomes.appointments_no_show)'
        ) }} as no_show_rate
    from {{ ref('kpi_appointment_outcomes_daily') }} as outcomes
    inner join cutoff
        on outcomes.kpi_date <= cutoff.as_of_date
    group by outcomes.facility_code, outcomes.service_line

)

, combined as (

    select
        coalesce(new_bookings.forecast_week_number, booked.forecast_week_number) as forecast_week_number
        , coalesce(new_bookings.facility_code, booked.facility_code) as facility_code
        , coalesce(new_bookings.service_line, booked.service_line) as service_line
        , coalesce(booked.booked_appointments, 0) as booked_appointments
        , coalesce(new_bookings.expected_new_bookings, 0) as expected_new_bookings
    from new_bookings
    full outer join booked
        on booked.forecast_week_number = new_bookings.forecast_week_number
        and booked.facility_code = new_bookings.facility_code
        -- an equality (not `is not distinct from`): PostgreSQL runs a full join on hashable conditions only
        and coalesce(booked.service_line, '') = coalesce(new_bookings.service_line, '')

)

select
    cast(cutoff.as_of_date + 7 * (combined.forecast_week_number - 1) + 1 as date) as forecast_week_start
    , cast(combined.forecast_week_number as integer) as forecast_week_number
    , cast(combined.facility_code as varchar) as facility_code
    , cast(combined.service_line as varchar) as service_line
    , cast(combined.booked_appointments as bigint) as booked_appointments
    , cast(combined.expected_new_bookings as decimal(18, 2)) as expected_new_bookings
    , cast(coalesce(outcome_rates.cancellation_rate, 0) as float8) as cancellation_rate
    , cast(coalesce(outcome_rates.no_show_rate, 0) as float8) as no_show_rate
    , cast(
        (combined.booked_appointments + combined.expected_new_bookings)
        * (1 - coalesce(outcome_rates.cancellation_rate, 0))
        * (1 - coalesce(outcome_rates.no_show_rate, 0))
        as decimal(18, 2)
    ) as expected_visits
    , cast(cutoff.as_of_date as date) as as_of_date
    , cast(cutoff.model_version as varchar) as model_version
from combined
cross join cutoff
left join outcome_rates
    on outcome_rates.facility_code = combined.facility_code
    and outcome_rates.service_line is not distinct from combined.service_line
