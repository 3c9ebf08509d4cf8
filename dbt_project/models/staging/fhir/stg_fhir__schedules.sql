{#-
    FHIR R4 Schedule versions (one row per version landed): the container of a provider's
    Slots at a location over its planning horizon, landed since the last build (decision
    0025). Times are naive UTC.
-#}
with source as (

    select * from {{ source('fhir', 'provider_schedule') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , trim(schedule_id) as schedule_id
        , active
        , nullif(trim(provider_npi), '') as provider_npi
        , nullif(trim(location_code), '') as location_code
        , cast(horizon_start as timestamp) as horizon_start
        , cast(horizon_end as timestamp) as horizon_end
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
