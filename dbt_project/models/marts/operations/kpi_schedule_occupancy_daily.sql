{#-
    Schedule occupancy (DESIGN §4) by day × facility × department × provider: booked minutes of
    completed and no-show appointments / available minutes of the provider templates, both kept.
    Templates are sessions of a provider in a department, not per service, so service line is not
    a dimension here (it is in kpi_appointment_outcomes_daily). Minutes on one side only (an
    appointment outside any template, a template nobody booked) still count on that side, so
    the totals are those of the whole network whatever the filter.
-#}
with templates as (

    select
        template_date as kpi_date
        , facility_code
        , department
        , provider_npi
        , count(*) as template_sessions
        , sum(available_minutes) as available_minutes
    from {{ ref('stg_schedule_templates__template_sessions') }}
    group by template_date, facility_code, department, provider_npi

)

, occupied as (

    select
        appointment_date as kpi_date
        , facility_code
        , department
        , provider_npi
        , count(*) filter (where is_completed or is_no_show) as appointments_occupying
        , sum(occupied_minutes) as occupied_minutes
    from {{ ref('fct_appointments') }}
    group by appointment_date, facility_code, department, provider_npi

)

, known_facilities as (

    select distinct facility_code from {{ ref('int_facilities_versioned') }}

)

, unioned as (

    select
        kpi_date, facility_code, department, provider_npi
        , template_sessions, available_minutes
        , 0 as appointments_occupying, 0 as occupied_minutes
    from templates

    union all

    select
        kpi_date, facility_code, department, provider_npi
        , 0 as template_sessions, 0 as available_minutes
        , appointments_occupying, occupied_minutes
    from occupied

)

, aggregated as (

    select
        kpi_date
        , facility_code
        , department
        , provider_npi
        , sum(template_sessions) as template_sessions
        , sum(available_minutes) as available_minutes
        , sum(appointments_occupying) as appointments_occupying
        , sum(occupied_minutes) as occupied_minutes
    from unioned
    group by kpi_date, facility_code, department, provider_npi

)

select
    cast(aggregated.kpi_date as date) as kpi_date
    , cast(aggregated.facility_code as varchar) as facility_code
    , cast(known_facilities.facility_code is not null as boolean) as is_facility_mapped
    , cast(aggregated.department as varchar) as department
    , cast(aggregated.provider_npi as varchar) as provider_npi
    , cast(aggregated.template_sessions as bigint) as template_sessions
    , cast(aggregated.appointments_occupying as bigint) as appointments_occupying
    , cast(aggregated.occupied_minutes as bigint) as schedule_occupancy_numerator
    , cast(aggregated.available_minutes as bigint) as schedule_occupancy_denominator
    , cast({{ safe_divide('aggregated.occupied_minutes', 'aggregated.available_minutes') }} as float8)
        as schedule_occupancy
from aggregated
left join known_facilities
    on known_facilities.facility_code = aggregated.facility_code
