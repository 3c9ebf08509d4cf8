with source as (

    select * from {{ source('x12_277', 'claim_status') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , upper(trim(category_code)) as category_code
        , status_code
        , entity_code
        , cast(status_date as date) as status_date
        , lower(trim(level)) as status_level
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , {{ pseudonymize('payer_claim_number') }} as payer_claim_key
        , nullif(trim(payer_id), '') as payer_id
        , cast(report_date as date) as report_date
        , sender_id
        , interchange_control_number
        , transaction_control_number
        -- GS04 + GS05 as the sender wrote them (no zone: decision 0031)
        , cast(group_created_at as timestamp) as group_created_at
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from renamed
