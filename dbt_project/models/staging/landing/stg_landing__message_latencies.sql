{#-
    One row per landed source message that states when its source created it, with its arrival:
    the facts behind transaction latency = arrival (delivered_at, UTC) - source event time
    (DESIGN §4; decisions 0013, 0014, 0024). A duplicate or a dead letter never lands, so it is
    never timed.

    - HL7 SIU: one record per message. MSH-7 written with a UTC offset was made UTC by ingest,
      which lands the offset (event_time_utc_offset, record v2; decision 0028): it stays, with
      no zone. MSH-7 without one (every simulated feed, rows landed before v2) is the sender's
      wall clock: read in the sending facility's zone (seed facility_time_zones, `*` = network
      default), then UTC.
    - FHIR: one line = one resource version; meta.lastUpdated arrives with its offset and is
      landed as UTC. An Appointment line lands its own event (event_time = meta.lastUpdated)
      and, for a later version, the booking it implies (an S12 dated by `created`, under
      `<id>/_history/1`): that implied booking is not a line of its own and is not timed. Slot and
      Schedule lines carry meta.lastUpdated.
    - Vendor CSV: the layout's last-modified column, converted to UTC by the clinic mapping.
    - X12 (837, 999, 277CA and 276 / 277 X212, 835): one transaction set (ST..SE) = one message,
      timed by its functional group's creation, GS04 / GS05 (`group_created_at`, decision 0031).
      A transaction set lands several records (claims, lines, statuses); it is timed once, by its
      first landed record, identified by sender (ISA06), ISA13, group time and ST02 (ST01 too
      for X212). A transaction set landed as duplicates only lands no record and is not timed;
      nor is one dead-lettered, whole or in part (a dead letter's reason names its ST02 and
      ISA13); an 835 re-sent under new control numbers is a duplicate by its business content.
      X12 states no zone: GS04 / GS05 are read in the network's zone
      (facility_time_zones `*`), as the trading partners' clocks are agreed in their companion
      guides; records landed before contract v2 have none and are not timed.
    - BAI2 and the extracts state no source event time.
-#}
with hl7_messages as (

    select
        record_key
        , 'hl7_siu' as source
        , 'appointment_event' as message_kind
        , source_file
        , batch_id
        , cast(event_time as timestamp) as source_event_at
        , event_time_utc_offset is not null as source_event_at_is_utc
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
        , case
            when not hl7_messages.source_event_at_is_utc
                then coalesce(sender_zones.time_zone, default_zone.time_zone)
        end as source_time_zone
        , case
            when hl7_messages.source_event_at_is_utc then hl7_messages.source_event_at
            else {{ local_to_utc(
                'hl7_messages.source_event_at',
                'coalesce(sender_zones.time_zone, default_zone.time_zone)'
            ) }}
        end as source_event_at_utc
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

{#- the X12 record kinds that carry one transaction set each: (source, table, ST01) -#}
{%- set x12_transaction_tables = [
    ('x12_837', 'claim_submission', "'837'"),
    ('x12_835', 'remittance_payment', "'835'"),
    ('x12_999', 'batch_acknowledgment', "'999'"),
    ('x12_277', 'claim_status', "'277'"),
    ('x12_277', 'claim_status_inquiry', 'transaction_set_id'),
] %}

, x12_records as (

    {% for x12_source, table, transaction_set_id in x12_transaction_tables -%}
    select
        '{{ x12_source }}' as source, '{{ table }}' as message_kind
        , {{ transaction_set_id }} as transaction_set_id
        , record_key, source_file, batch_id, sender_id, interchange_control_number
        , transaction_control_number, group_created_at, delivered_at, received_at
    from {{ source(x12_source, table) }}
    {% if not loop.last %}
    union all

    {% endif -%}
    {% endfor %}

)

, x12_dead_letters as (

    {% for x12_source in ['x12_837', 'x12_835', 'x12_999', 'x12_277'] -%}
    select batch_id, reason from {{ source('landing', 'dead_letters__' ~ x12_source) }}
    where source = '{{ x12_source }}'
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

, x12_landed_whole as (

    -- a transaction set with a dead-lettered loop (a claim, an AK2) was dead-lettered as a
    -- message, though its other loops landed: the reader's reason names it (`where` in
    -- ingest/formats/_x12_common.py: "ST02='…' (ISA13='…'")
    select x12_records.*
    from x12_records
    where x12_records.group_created_at is not null
        and not exists (
            select 1
            from x12_dead_letters
            where x12_dead_letters.batch_id = x12_records.batch_id
                and x12_dead_letters.reason like
                    '%ST02=''' || x12_records.transaction_control_number
                    || ''' (ISA13=''' || x12_records.interchange_control_number || '''%'
        )

)

, x12_ranked as (

    select
        x12_landed_whole.*
        , row_number() over (
            partition by
                source, transaction_set_id, sender_id, interchange_control_number
                , group_created_at, transaction_control_number
            order by coalesce(delivered_at, received_at), received_at, record_key
        ) as landing_rank
    from x12_landed_whole

)

, x12_timed as (

    -- one row per transaction set: its first landed record
    select
        x12_ranked.record_key
        , x12_ranked.source
        , x12_ranked.message_kind
        , x12_ranked.source_file
        , x12_ranked.batch_id
        , cast(x12_ranked.group_created_at as timestamp) as source_event_at
        , default_zone.time_zone as source_time_zone
        , cast(
            (cast(x12_ranked.group_created_at as timestamp) at time zone default_zone.time_zone)
            at time zone 'UTC'
            as timestamp
        ) as source_event_at_utc
        , cast(coalesce(x12_ranked.delivered_at, x12_ranked.received_at) as timestamp)
            as delivered_at
    from x12_ranked
    left join zones as default_zone
        on default_zone.facility_code = '*'
    where x12_ranked.landing_rank = 1

)

, timed as (

    select * from hl7_timed
    union all
    select * from utc_timed
    union all
    select * from x12_timed

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
