{#-
    Time zones (decision 0028). Every canonical time is naive UTC; a facility-local date is
    derived where a KPI counts by the day a clinic lives in. Zones are IANA names from the seed
    facility_time_zones (`*` = the network default). DuckDB reads `at time zone` through its ICU
    extension (statically linked in the duckdb wheel: no download), PostgreSQL natively; both
    resolve a wall time repeated at the autumn change to standard time and a skipped spring
    time as standard time (02:30 -> 07:30 UTC in America/New_York), measured on both.
-#}


{#- a naive wall-clock time of `zone` as naive UTC -#}
{% macro local_to_utc(expr, zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'hcops')(expr, zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(expr, zone) -%}
    cast((cast({{ expr }} as timestamp) at time zone {{ zone }}) at time zone 'UTC' as timestamp)
{%- endmacro %}


{#- a naive UTC time as the wall-clock time of `zone` -#}
{% macro utc_to_local(expr, zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'hcops')(expr, zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(expr, zone) -%}
    cast((cast({{ expr }} as timestamp) at time zone 'UTC') at time zone {{ zone }} as timestamp)
{%- endmacro %}


{#- the date of a naive UTC time in `zone` (the day a clinic in that zone lived it) -#}
{% macro local_date(expr, zone) -%}
    cast({{ utc_to_local(expr, zone) }} as date)
{%- endmacro %}


{#-
    The canonical appointment events of every scheduling channel (staging models of HL7 SIU,
    FHIR, vendor CSV; decision 0011) with every time in naive UTC and the facility's zone:
    - FHIR and vendor CSV times land as UTC already (offsets applied, the CSV mapping's zone);
    - an HL7 time written with a UTC offset was made UTC by ingest, which says so
      (event_time_is_utc / start_time_is_utc of stg_hl7_siu__appointment_events): it stays;
    - an HL7 time without one is the sender's wall clock (every simulated feed, rows landed
      before record v2): the message time is read in the sending facility's zone (as
      stg_landing__message_latencies does), the appointment start in the appointment facility's
      zone; either falls back to the other facility, then to the network default `*`.
    So the same appointment sent with or without offsets has one UTC start (decision 0028).
    A null flag (a hand-made row) reads as wall clock.
    time_zone: the zone of the appointment's facility, for its local dates.
-#}
{% macro appointment_events_in_utc() -%}
    {%- set columns -%}
        record_key, channel, appointment_key, event_type, event_time, message_control_id
        , sending_facility, status, start_time, duration_minutes, facility_code, location_code
        , provider_npi, service_code, visit_key, patient_key, event_reason, batch_id, received_at
    {%- endset %}
    with channel_events as (

        select {{ columns }}, event_time_is_utc, start_time_is_utc
        from {{ ref('stg_hl7_siu__appointment_events') }}
        union all
        select {{ columns }}, true as event_time_is_utc, true as start_time_is_utc
        from {{ ref('stg_fhir__appointment_events') }}
        union all
        select {{ columns }}, true as event_time_is_utc, true as start_time_is_utc
        from {{ ref('stg_vendor_csv__appointment_events') }}

    )

    , zones as (

        select facility_code, time_zone from {{ ref('facility_time_zones') }}

    )

    , zoned as (

        select
            channel_events.*
            , coalesce(facility_zones.time_zone, sender_zones.time_zone, default_zone.time_zone)
                as facility_time_zone
            , coalesce(sender_zones.time_zone, facility_zones.time_zone, default_zone.time_zone)
                as sender_time_zone
        from channel_events
        left join zones as facility_zones
            on facility_zones.facility_code = channel_events.facility_code
        left join zones as sender_zones
            on sender_zones.facility_code = channel_events.sending_facility
        left join zones as default_zone
            on default_zone.facility_code = '*'

    )

    select
        record_key
        , channel
        , appointment_key
        , event_type
        , case
            when event_time_is_utc then event_time
            else {{ local_to_utc('event_time', 'sender_time_zone') }}
        end as event_time
        , message_control_id
        , sending_facility
        , status
        , case
            when start_time_is_utc then start_time
            else {{ local_to_utc('start_time', 'facility_time_zone') }}
        end as start_time
        , duration_minutes
        , facility_code
        , location_code
        , provider_npi
        , service_code
        , visit_key
        , patient_key
        , event_reason
        , facility_time_zone as time_zone
        , batch_id
        , received_at
    from zoned
{%- endmacro %}
