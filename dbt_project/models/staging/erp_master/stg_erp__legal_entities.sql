with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'legal_entities'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'legal_entity_code') }} as legal_entity_code
        , {{ json_text('attributes', 'name') }} as legal_entity_name
        , {{ json_text('attributes', 'tax_id') }} as tax_id
        , {{ json_text('attributes', 'currency') }} as currency
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
