with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'providers'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'provider_npi') }} as provider_npi
        , {{ json_text('attributes', 'name') }} as provider_name
        , {{ json_text('attributes', 'specialty') }} as specialty
        , {{ json_text('attributes', 'facility_code') }} as facility_code
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
