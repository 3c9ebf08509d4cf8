with source as (

    select * from {{ source('x12_835', 'provider_adjustment') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id']) }} as remittance_key
        , provider_id
        , cast(fiscal_period_date as date) as fiscal_period_date
        , upper(trim(reason_code)) as reason_code
        , {{ pseudonymize('reference_id') }} as reference_key
        , cast(amount as decimal(18, 2)) as amount
        , cast(adjustment_index as integer) as adjustment_index
        , trace_number
        , payer_trace_id
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from renamed
