with source as (

    select * from {{ source('erp_master', 'erp_master_record') }}
    where entity = 'payer_contracts'
    {{ landed_since_last_build('and') }}

)

, typed as (

    select
        record_key
        , natural_key
        , cast(extract_date as date) as extract_date
        , {{ json_text('attributes', 'payer_id') }} as payer_id
        , {{ json_text('attributes', 'service_code') }} as service_code
        , cast({{ json_text('attributes', 'expected_reimbursement') }} as decimal(18, 2)) as expected_reimbursement
        , cast({{ json_text('attributes', 'effective_from') }} as date) as effective_from
        , cast({{ json_text('attributes', 'effective_to') }} as date) as effective_to
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from typed
