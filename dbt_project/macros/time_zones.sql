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
    - HL7 times land as written: MSH-7 / TQ1-7 without an offset is the sender's wall clock. The
      message time is read in the sending facility's zone (as stg_landing__message_latencies
      does), the appointment start in the appointment facility's zone; either falls back to the
      other facility, then to the network default `*`. An HL7 time that carried an offset was
      made UTC by ingest, and raw does not say which did (decision 0028: all simulated and
      sampled HL7 feeds write none).
    time_zone: the zone of the appointment's facility, for its local dates.
-#}
{% macro appointment_events_in_utc() -%}
    with channel_events as (

        select * from {{ ref('stg_hl7_siu__appointment_events') }}
        union all
        select * from {{ ref('stg_fhir__appointment_events') }}
        union all
        select * from {{ ref('stg_vendor_csv__appointment_events') }}

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
            when channel = 'hl7_siu' then {{ local_to_utc('event_time', 'sender_time_zone') }}
            else event_time
        end as event_time
        , message_control_id
        , sending_facility
        , status
        , case
            when channel = 'hl7_siu' then {{ local_to_utc('start_time', 'facility_time_zone') }}
            else start_time
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
