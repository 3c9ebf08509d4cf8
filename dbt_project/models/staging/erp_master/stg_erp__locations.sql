with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'locations'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'location_code') }} as location_code
        , {{ json_text('attributes', 'facility_code') }} as facility_code
        , {{ json_text('attributes', 'room') }} as room
        , {{ json_text('attributes', 'department') }} as department
        , {{ json_text('attributes', 'name') }} as location_name
        , lower({{ json_text('attributes', 'active') }}) = 'true' as is_active
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
