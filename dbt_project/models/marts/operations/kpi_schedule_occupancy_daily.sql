{#-
    Schedule occupancy (DESIGN §4) by day × facility × department × provider: booked minutes of
    completed and no-show appointments / available minutes of the provider templates, both kept.
    Templates are sessions of a provider in a department, not per service, so service line is not
    a dimension here (it is in kpi_appointment_outcomes_daily). Minutes on one side only (an
    appointment outside any template, a template nobody booked) still count on that side, so
    the totals are those of the whole network whatever the filter.

    Capacity (decision 0028): the provider templates, which every facility sends whatever its
    scheduling channel. A FHIR-feed facility also publishes Slots (int_schedule_slots_current:
    free + booked minutes, kept as fhir_slot_minutes next to template_minutes); they become the
    available minutes only for a provider's day without any template session (a template
    extract lost or dead-lettered), never on top of a template, which would count the same
    hours twice. Days are the facility's local days.
-#}
with template_sessions as (

    select * from {{ ref('stg_schedule_templates__template_sessions') }}

)

, templates as (

    select
        template_date as kpi_date
        , facility_code
        , department
        , provider_npi
        , count(*) as template_sessions
        , sum(available_minutes) as available_minutes
    from template_sessions
    group by template_date, facility_code, department, provider_npi

)

, templated_provider_days as (

    select distinct template_date as kpi_date, facility_code, provider_npi
    from template_sessions

)

, slot_rooms as (

    select * from {{ ref('int_locations_versioned') }}

)

, slots as (

    select
        slots.slot_date as kpi_date
        , slots.facility_code
        , slot_rooms.department
        , slots.provider_npi
        , sum(slots.duration_minutes) as slot_minutes
        , coalesce(sum(slots.duration_minutes) filter (where slots.is_booked), 0) as booked_slot_minutes
    from {{ ref('int_schedule_slots_current') }} as slots
    left join slot_rooms
        on slot_rooms.location_code = slots.location_code
        and {{ valid_at('slot_rooms', 'slots.slot_date') }}
    where slots.is_capacity
    group by slots.slot_date, slots.facility_code, slot_rooms.department, slots.provider_npi

)

, slot_capacity as (

    select
        slots.*
        , case when templated_provider_days.kpi_date is null then slots.slot_minutes else 0 end
            as available_minutes
    from slots
    left join templated_provider_days
        on templated_provider_days.kpi_date = slots.kpi_date
        and templated_provider_days.facility_code = slots.facility_code
        and templated_provider_days.provider_npi = slots.provider_npi

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
        , template_sessions, available_minutes, available_minutes as template_minutes
        , 0 as slot_minutes, 0 as booked_slot_minutes, 0 as slot_available_minutes
        , 0 as appointments_occupying, 0 as occupied_minutes
    from templates

    union all

    select
        kpi_date, facility_code, department, provider_npi
        , 0 as template_sessions, available_minutes, 0 as template_minutes
        , slot_minutes, booked_slot_minutes, available_minutes as slot_available_minutes
        , 0 as appointments_occupying, 0 as occupied_minutes
    from slot_capacity

    union all

    select
        kpi_date, facility_code, department, provider_npi
        , 0 as template_sessions, 0 as available_minutes, 0 as template_minutes
        , 0 as slot_minutes, 0 as booked_slot_minutes, 0 as slot_available_minutes
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
        , sum(template_minutes) as template_minutes
        , sum(slot_minutes) as slot_minutes
        , sum(booked_slot_minutes) as booked_slot_minutes
        , sum(slot_available_minutes) as slot_available_minutes
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
    , cast(aggregated.template_minutes as bigint) as template_minutes
    , cast(aggregated.slot_minutes as bigint) as fhir_slot_minutes
    , cast(aggregated.booked_slot_minutes as bigint) as fhir_booked_slot_minutes
    , cast(
        case
            when aggregated.template_minutes > 0 then 'template'
            when aggregated.slot_available_minutes > 0 then 'fhir_slots'
        end as varchar
    ) as capacity_source
    , cast(aggregated.appointments_occupying as bigint) as appointments_occupying
    , cast(aggregated.occupied_minutes as bigint) as schedule_occupancy_numerator
    , cast(aggregated.available_minutes as bigint) as schedule_occupancy_denominator
    , cast({{ safe_divide('aggregated.occupied_minutes', 'aggregated.available_minutes') }} as float8)
        as schedule_occupancy
from aggregated
left join known_facilities
    on known_facilities.facility_code = aggregated.facility_code
