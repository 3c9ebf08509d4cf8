with source as (

    select * from {{ source('x12_835', 'remittance_payment') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id']) }} as remittance_key
        , trace_number
        , payer_trace_id
        , cast(payment_amount as decimal(18, 2)) as payment_amount
        , credit_debit_flag
        , payment_method
        , cast(payment_date as date) as payment_date
        , cast(production_date as date) as production_date
        , nullif(trim(payer_id), '') as payer_id
        , payer_name
        , payee_npi
        , payee_tax_id
        , cast(claim_count as integer) as claim_count
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
