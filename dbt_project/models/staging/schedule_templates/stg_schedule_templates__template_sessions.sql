{#- start / end are the facility's wall-clock HH:MM; minutes after midnight make them comparable -#}
with source as (

    select * from {{ source('schedule_templates', 'schedule_template') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , trim(provider_npi) as provider_npi
        , trim(facility_code) as facility_code
        , nullif(trim(location_code), '') as location_code
        , nullif(trim(department), '') as department
        , nullif(trim(room), '') as room
        , cast("date" as date) as template_date
        , trim("start") as start_local_time
        , trim("end") as end_local_time
        , cast(split_part(trim("start"), ':', 1) as integer) * 60
            + cast(split_part(trim("start"), ':', 2) as integer) as start_minute_of_day
        , cast(split_part(trim("end"), ':', 1) as integer) * 60
            + cast(split_part(trim("end"), ':', 2) as integer) as end_minute_of_day
        , cast(available_minutes as integer) as available_minutes
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
