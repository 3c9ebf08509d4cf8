{{ config(unique_key='event_key') }}
{#-
    Every appointment event of every scheduling channel (HL7 SIU, FHIR, vendor CSV) in event
    order per appointment (event time, then message control id), whatever order the events
    arrived in: the full history behind int_appointments_sequenced's current state.
    arrived_out_of_order: a later event of the appointment was landed before this one.
    Times are naive UTC whatever the channel wrote (macro appointment_events_in_utc, decision
    0028); start_date is the start's date in the facility's zone.
    Incremental: every event of the appointments with an event landed since the last build.
-#}
{%- set since = incremental_since() %}
with events as (

    {{ appointment_events_in_utc() }}

)

, touched_appointments as (

    select appointment_key from events
    {%- if since %}
    where received_at >= {{ since }}
    {%- endif %}

)

, ordered as (

    select
        events.*
        , row_number() over (
            partition by appointment_key
            order by event_time nulls last, message_control_id nulls last, record_key
        ) as event_sequence
        -- the same order reversed: the events after this one come first
        , min(received_at) over (
            partition by appointment_key
            order by event_time desc nulls first, message_control_id desc nulls first, record_key desc
            rows between unbounded preceding and 1 preceding
        ) as first_landing_of_later_events
    from events
    {{ where_touched('appointment_key', since, 'touched_appointments', 'appointment_key') }}

)

select
    record_key as event_key
    , appointment_key
    , event_sequence
    , channel
    , event_type
    , event_time
    , message_control_id
    , status
    , lag(status) over (partition by appointment_key order by event_sequence) as previous_status
    , start_time
    , {{ local_date('start_time', 'time_zone') }} as start_date
    , time_zone
    , duration_minutes
    , facility_code
    , location_code
    , provider_npi
    , service_code
    , visit_key
    , patient_key
    , event_reason
    , coalesce(first_landing_of_later_events < received_at, false) as arrived_out_of_order
    , sending_facility
    , batch_id
    , received_at
from ordered
