with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'gl_accounts'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'account_code') }} as account_code
        , {{ json_text('attributes', 'name') }} as account_name
        , {{ json_text('attributes', 'account_type') }} as account_type
        , lower({{ json_text('attributes', 'party_required') }}) = 'true' as is_party_required
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
