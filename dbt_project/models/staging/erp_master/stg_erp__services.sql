with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'services'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'service_code') }} as service_code
        , {{ json_text('attributes', 'description') }} as service_description
        , cast({{ json_text('attributes', 'charge_amount') }} as decimal(18, 2)) as charge_amount
        , {{ json_text('attributes', 'service_line') }} as service_line
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
