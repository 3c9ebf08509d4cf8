{#-
    FHIR R4 Slot versions (one row per version landed, ingest/formats/fhir_appointment.py):
    bookable intervals of a provider's Schedule, busy or free, landed since the last build
    (decision 0025). Times are naive UTC (FHIR instants carry their offset). A busy Slot's id
    names the appointment it holds, so it is replaced by a keyed hash like the appointment id.
-#}
with source as (

    select * from {{ source('fhir', 'schedule_slot') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ pseudonymize('slot_id') }} as slot_key
        , trim(schedule_id) as schedule_id
        , lower(trim(status)) as status
        , cast(start_time as timestamp) as start_time
        , cast(end_time as timestamp) as end_time
        , cast(duration_minutes as integer) as duration_minutes
        , overbooked
        , nullif(trim(service_code), '') as service_code
        , nullif(trim(facility_code), '') as facility_code
        , version_id
        , cast(last_updated as timestamp) as last_updated
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
