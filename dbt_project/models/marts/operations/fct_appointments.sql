{#-
    One row per appointment with its outcome (DESIGN §4), where and with whom it was booked, and
    the facts the scheduling KPIs count: the appointment-level grain behind
    kpi_appointment_outcomes_daily and kpi_schedule_occupancy_daily (and the drill-down).

    outcome: cancelled and no-show as the feed last says; completed = complete / arrived /
    fulfilled in the feed, or still booked there while its visit was billed (a claim for its visit
    number); else booked (open). Times are naive UTC; the appointment's day is the date of its
    (final) start in the facility's zone, the day the clinic lived it (decision 0028).
    Department and cost center come from the visit's encounter (int_encounters_enriched) when
    the appointment is the visit's; service line from the service master valid on the day. A
    facility code absent from the facility master (an unknown facility) keeps its code and
    is_facility_mapped = false: a master-data exception, kept out of network totals.
-#}
with appointments as (

    select * from {{ ref('int_appointments_sequenced') }}

)

, encounters as (

    select * from {{ ref('int_encounters_enriched') }}

)

, services as (

    select * from {{ ref('int_services_versioned') }}

)

, facilities as (

    select * from {{ ref('int_facilities_versioned') }}

)

, event_counts as (

    select
        appointment_key
        , count(*) filter (where event_type = 'S13') as reschedule_events
        , count(*) filter (where arrived_out_of_order) as out_of_order_events
    from {{ ref('int_appointment_events_ordered') }}
    group by appointment_key

)

, joined as (

    select
        appointments.appointment_key
        , appointments.visit_key
        , appointments.facility_code
        , facilities.facility_code is not null as is_facility_mapped
        , coalesce(facilities.legal_entity_code, encounters.legal_entity_code) as legal_entity_code
        , coalesce(facilities.region, encounters.region) as region
        , appointments.location_code
        , encounters.department
        , encounters.cost_center_code
        , appointments.provider_npi
        , appointments.service_code
        , services.service_line
        , appointments.booked_at
        , appointments.booked_date
        , appointments.start_time
        , appointments.appointment_date
        , appointments.time_zone
        , appointments.duration_minutes
        , appointments.status_category
        , appointments.current_status
        , appointments.last_event_type
        , appointments.last_event_reason
        , appointments.event_count
        , coalesce(event_counts.reschedule_events, 0) as reschedule_events
        , coalesce(event_counts.out_of_order_events, 0) as out_of_order_events
        , coalesce(encounters.has_claim, false) as is_billed
    from appointments
    left join encounters
        on encounters.appointment_key = appointments.appointment_key
    left join facilities
        on facilities.facility_code = appointments.facility_code
        and {{ valid_at('facilities', 'appointments.appointment_date') }}
    left join services
        on services.service_code = appointments.service_code
        and {{ valid_at('services', 'appointments.appointment_date') }}
    left join event_counts
        on event_counts.appointment_key = appointments.appointment_key

)

, classified as (

    select
        joined.*
        , case
            when status_category in ('cancelled', 'noshow', 'completed') then status_category
            when is_billed then 'completed'
            else 'booked'
        end as outcome
    from joined

)

select
    cast(appointment_key as varchar) as appointment_key
    , cast(visit_key as varchar) as visit_key
    , cast(appointment_date as date) as appointment_date
    , cast(facility_code as varchar) as facility_code
    , cast(is_facility_mapped as boolean) as is_facility_mapped
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(region as varchar) as region
    , cast(location_code as varchar) as location_code
    , cast(department as varchar) as department
    , cast(cost_center_code as varchar) as cost_center_code
    , cast(provider_npi as varchar) as provider_npi
    , cast(service_code as varchar) as service_code
    , cast(service_line as varchar) as service_line
    , cast(booked_at as timestamp) as booked_at
    , cast(booked_date as date) as booked_date
    , cast(start_time as timestamp) as start_time
    , cast(time_zone as varchar) as time_zone
    , cast(duration_minutes as integer) as duration_minutes
    , cast(outcome as varchar) as outcome
    , cast(current_status as varchar) as source_status
    , cast(last_event_type as varchar) as last_event_type
    , cast(last_event_reason as varchar) as last_event_reason
    , cast(event_count as bigint) as event_count
    , cast(reschedule_events > 0 as boolean) as was_rescheduled
    , cast(out_of_order_events > 0 as boolean) as had_out_of_order_events
    , cast(is_billed as boolean) as is_billed
    , cast(outcome = 'completed' as boolean) as is_completed
    , cast(outcome = 'noshow' as boolean) as is_no_show
    , cast(outcome = 'cancelled' as boolean) as is_cancelled
    , cast(
        case when outcome in ('completed', 'noshow') then coalesce(duration_minutes, 0) else 0 end
        as bigint
    ) as occupied_minutes
from classified
