with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'payers'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'payer_id') }} as payer_id
        , {{ json_text('attributes', 'name') }} as payer_name
        , {{ json_text('attributes', 'payer_type') }} as payer_type
        , {{ json_text('attributes', 'party_code') }} as party_code
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
