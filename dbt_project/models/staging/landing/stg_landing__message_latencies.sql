{#-
    One row per landed source message that states when its source created it, with its arrival:
    the facts behind transaction latency = arrival (delivered_at, UTC) - source event time
    (DESIGN §4; decisions 0013, 0014, 0024). A duplicate or a dead letter never lands, so it is
    never timed.

    - HL7 SIU: one record per message; MSH-7 is the sender's local wall time (no offset in the
      feeds we receive): read in the sending facility's zone (seed facility_time_zones, `*` =
      network default), then UTC.
    - FHIR: one line = one resource version; meta.lastUpdated arrives with its offset and is
      landed as UTC. An Appointment line lands its own event (event_time = meta.lastUpdated)
      and, for a later version, the booking it implies (an S12 dated by `created`, under
      `<id>/_history/1`): that implied booking is not a line of its own and is not timed. Slot and
      Schedule lines carry meta.lastUpdated.
    - Vendor CSV: the layout's last-modified column, converted to UTC by the clinic mapping.
    - X12 (837, 999, 277CA, 835) are not timed: the raw records do not carry GS04 / GS05, the
      transaction's creation time (reported in decision 0024). BAI2 and the extracts state none.
-#}
with hl7_messages as (

    select
        record_key
        , 'hl7_siu' as source
        , 'appointment_event' as message_kind
        , source_file
        , batch_id
        , cast(event_time as timestamp) as source_event_at
        , sending_facility
        , cast(delivered_at as timestamp) as delivered_at
        , cast(received_at as timestamp) as received_at
    from {{ source('hl7_siu', 'appointment_event') }}
    where source_file like 'hl7_siu/%'

)

, zones as (

    select facility_code, time_zone from {{ ref('facility_time_zones') }}

)

, hl7_timed as (

    select
        hl7_messages.record_key
        , hl7_messages.source
        , hl7_messages.message_kind
        , hl7_messages.source_file
        , hl7_messages.batch_id
        , hl7_messages.source_event_at
        , coalesce(sender_zones.time_zone, default_zone.time_zone) as source_time_zone
        , cast(
            (hl7_messages.source_event_at at time zone coalesce(sender_zones.time_zone, default_zone.time_zone))
            at time zone 'UTC'
            as timestamp
        ) as source_event_at_utc
        , coalesce(hl7_messages.delivered_at, hl7_messages.received_at) as delivered_at
    from hl7_messages
    left join zones as sender_zones
        on sender_zones.facility_code = hl7_messages.sending_facility
    left join zones as default_zone
        on default_zone.facility_code = '*'

)

, fhir_appointment_events as (

    select
        record_key
        , source_file
        , batch_id
        , event_type
        , cast(event_time as timestamp) as event_time
        , coalesce(delivered_at, received_at) as delivered_at
        , count(*) over (partition by batch_id, appointment_id) as events_of_the_line
    from {{ source('fhir', 'appointment_event') }}
    where source_file like 'fhir/%'

)

, fhir_lines as (

    select
        record_key
        , 'fhir' as source
        , 'appointment_event' as message_kind
        , source_file
        , batch_id
        , event_time as source_event_at
        , delivered_at
    from fhir_appointment_events
    -- the booking implied by a later version lands next to that version's own event
    where not (event_type = 'S12' and events_of_the_line > 1)

    union all

    select
        record_key
        , 'fhir' as source
        , 'schedule_slot' as message_kind
        , source_file
        , batch_id
        , cast(last_updated as timestamp) as source_event_at
        , coalesce(delivered_at, received_at) as delivered_at
    from {{ source('landing', 'schedule_slot') }}
    where last_updated is not null

    union all

    select
        record_key
        , 'fhir' as source
        , 'provider_schedule' as message_kind
        , source_file
        , batch_id
        , cast(last_updated as timestamp) as source_event_at
        , coalesce(delivered_at, received_at) as delivered_at
    from {{ source('landing', 'provider_schedule') }}
    where last_updated is not null

)

, vendor_rows as (

    select
        record_key
        , 'vendor_csv' as source
        , 'appointment_event' as message_kind
        , source_file
        , batch_id
        , cast(event_time as timestamp) as source_event_at
        , coalesce(delivered_at, received_at) as delivered_at
    from {{ source('vendor_csv', 'appointment_event') }}
    where source_file like 'vendor_csv/%'

)

, utc_timed as (

    select
        record_key
        , source
        , message_kind
        , source_file
        , batch_id
        , source_event_at
        , cast(null as varchar) as source_time_zone
        , source_event_at as source_event_at_utc
        , cast(delivered_at as timestamp) as delivered_at
    from fhir_lines

    union all

    select
        record_key
        , source
        , message_kind
        , source_file
        , batch_id
        , source_event_at
        , cast(null as varchar) as source_time_zone
        , source_event_at as source_event_at_utc
        , cast(delivered_at as timestamp) as delivered_at
    from vendor_rows

)

, timed as (

    select * from hl7_timed
    union all
    select * from utc_timed

)

select
    record_key as message_key
    , source
    , message_kind
    , source_file
    , batch_id
    , source_event_at
    , source_time_zone
    , source_event_at_utc
    , delivered_at
    , cast(delivered_at as date) as delivered_date
    , cast({{ seconds_between('source_event_at_utc', 'delivered_at') }} as decimal(18, 3))
        as latency_seconds
from timed
where source_event_at_utc is not null
