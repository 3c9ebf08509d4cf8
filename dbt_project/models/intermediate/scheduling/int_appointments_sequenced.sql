{{ config(unique_key='appointment_key') }}
{#-
    One row per appointment, whatever its scheduling channel (HL7 SIU, FHIR, vendor CSV):
    booked = time of its first S12; current state = its last event, ordered by event time then
    message control id (late events correct the state). Times are naive UTC whatever the
    channel wrote (macro appointment_events_in_utc); the booking and appointment dates are
    the facility's local dates, the days a clinic counts by (decision 0028). Incremental: the
    appointments with an event landed since the last build.
-#}
{%- set since = incremental_since() %}
with landed_events as (

    {{ appointment_events_in_utc() }}

)

, touched_appointments as (

    select appointment_key from landed_events
    {%- if since %}
    where received_at >= {{ since }}
    {%- endif %}

)

, events as (

    select * from landed_events
    {{ where_touched('appointment_key', since, 'touched_appointments', 'appointment_key') }}

)

, sequenced as (

    select
        events.*
        , row_number() over (
            partition by appointment_key
            order by event_time, message_control_id
        ) as event_sequence
        , row_number() over (
            partition by appointment_key
            order by event_time desc nulls last, message_control_id desc nulls last
        ) as reverse_sequence
    from events

)

, bookings as (

    select
        appointment_key
        , min(event_time) as booked_at
    from events
    where event_type = 'S12'
    group by appointment_key

)

, counts as (

    select
        appointment_key
        , count(*) as event_count
        , min(event_time) as first_event_at
    from events
    group by appointment_key

)

, latest as (

    select * from sequenced
    where reverse_sequence = 1

)

, earliest as (

    select * from sequenced
    where event_sequence = 1

)

, final as (

    select
        latest.appointment_key
        , coalesce(latest.visit_key, earliest.visit_key) as visit_key
        , coalesce(latest.patient_key, earliest.patient_key) as patient_key
        , bookings.booked_at
        , counts.first_event_at
        , latest.event_time as last_event_at
        , counts.event_count
        , latest.event_type as last_event_type
        , coalesce(
            latest.status
            , case latest.event_type
                when 'S12' then 'booked'
                when 'S15' then 'cancelled'
                when 'S17' then 'deleted'
                when 'S26' then 'noshow'
            end
        ) as current_status
        , case
            when latest.event_type in ('S15', 'S17')
                or latest.status in ('cancelled', 'canceled', 'deleted') then 'cancelled'
            when latest.event_type = 'S26'
                or latest.status in ('noshow', 'no-show', 'no show') then 'noshow'
            when latest.status in ('complete', 'completed', 'arrived', 'fulfilled') then 'completed'
            else 'booked'
        end as status_category
        , coalesce(latest.start_time, earliest.start_time) as start_time
        , coalesce(latest.duration_minutes, earliest.duration_minutes) as duration_minutes
        , coalesce(latest.facility_code, earliest.facility_code) as facility_code
        , coalesce(latest.location_code, earliest.location_code) as location_code
        , coalesce(latest.provider_npi, earliest.provider_npi) as provider_npi
        , coalesce(latest.service_code, earliest.service_code) as service_code
        , latest.event_reason as last_event_reason
        , case
            when latest.facility_code is not null then latest.time_zone else earliest.time_zone
        end as time_zone
    from latest
    inner join earliest
        on earliest.appointment_key = latest.appointment_key
    inner join counts
        on counts.appointment_key = latest.appointment_key
    left join bookings
        on bookings.appointment_key = latest.appointment_key

)

select
    final.*
    , {{ local_date('booked_at', 'time_zone') }} as booked_date
    , {{ local_date('start_time', 'time_zone') }} as appointment_date
from final
