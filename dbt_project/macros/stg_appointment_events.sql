{#-
    Staging of the canonical appointment events of one scheduling channel. HL7 SIU, FHIR and
    vendor CSV all land in raw.appointment_event (decision 0011); each channel's staging model
    keeps its own rows (by the landing folder in source_file) so lineage shows every feed.
-#}
{% macro stg_appointment_events(channel) -%}
with source as (

    select * from {{ source(channel, 'appointment_event') }}
    where source_file like '{{ channel }}/%'

)

, renamed as (

    select
        record_key
        , '{{ channel }}' as channel
        , {{ pseudonymize('appointment_id') }} as appointment_key
        , upper(trim(event_type)) as event_type
        , cast(event_time as timestamp) as event_time
        , message_control_id
        , sending_facility
        , nullif(lower(trim(status)), '') as status
        , cast(start_time as timestamp) as start_time
        , cast(duration_minutes as integer) as duration_minutes
        , nullif(trim(facility_code), '') as facility_code
        , nullif(trim(location_code), '') as location_code
        , nullif(trim(provider_npi), '') as provider_npi
        , nullif(trim(service_code), '') as service_code
        , {{ pseudonymize('visit_number') }} as visit_key
        , {{ pseudonymize('patient_id') }} as patient_key
        , event_reason
        , batch_id
        , cast(received_at as timestamp) as received_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
{%- endmacro %}


{#-
    A staging model of one channel's appointment events: stg_appointment_events(channel) over
    the rows landed since the model's last build (decision 0025), with their arrival time
    (decision 0014) and, per `arrival_columns` ({alias: expression over the raw row}), what a
    channel adds from its own raw columns (HL7: whether each time was written in UTC).
-#}
{% macro stg_appointment_events_landed(channel, arrival_columns={}) -%}
with staged as (

    {{ stg_appointment_events(channel) }}

)

, landed as (

    select * from staged
    {{ landed_since_last_build() }}

)

, arrivals as (

    select
        record_key
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        {%- for alias, expression in arrival_columns.items() %}
        , {{ expression }} as {{ alias }}
        {%- endfor %}
    from {{ source(channel, 'appointment_event') }}
    where source_file like '{{ channel }}/%'
    {{ landed_since_last_build('and') }}

)

select
    landed.*
    , arrivals.delivered_at
    {%- for alias in arrival_columns %}
    , arrivals.{{ alias }}
    {%- endfor %}
from landed
inner join arrivals
    on arrivals.record_key = landed.record_key
{%- endmacro %}
