{#-
    The hl7_siu rows of raw.appointment_event as canonical appointment events (macro
    stg_appointment_events, decision 0011), landed since the last build (decision 0025), with
    their arrival time, and whether each time is UTC already (decision 0028): an HL7 DTM written
    with a UTC offset was converted by ingest, which lands the offset next to it
    (`*_utc_offset`, record v2); one without (null, also every row landed before v2) is the
    sender's wall clock, converted by macro appointment_events_in_utc.
-#}
with events as (

    {{ stg_appointment_events_landed('hl7_siu') }}

)

, written_offsets as (

    select
        record_key
        , event_time_utc_offset
        , start_time_utc_offset
    from {{ source('hl7_siu', 'appointment_event') }}
    where source_file like 'hl7_siu/%'
    {{ landed_since_last_build('and') }}

)

select
    events.*
    , written_offsets.event_time_utc_offset is not null as event_time_is_utc
    , written_offsets.start_time_utc_offset is not null as start_time_is_utc
from events
inner join written_offsets
    on written_offsets.record_key = events.record_key
