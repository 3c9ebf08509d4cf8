with source as (

    select * from {{ source('hl7_siu', 'appointment_event') }}

)

, renamed as (

    select
        record_key
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
