with source as (

    select * from {{ source('x12_835', 'remittance_adjustment') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id', 'claim_index']) }} as remittance_claim_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , cast(line_number as integer) as line_number
        , case when line_number is null then 'claim' else 'line' end as adjustment_level
        , upper(trim(group_code)) as group_code
        , upper(trim(reason_code)) as reason_code
        , cast(amount as decimal(18, 2)) as amount
        , cast(quantity as decimal(18, 4)) as quantity
        , cast(adjustment_index as integer) as adjustment_index
        , cast(claim_index as integer) as claim_index
        , trace_number
        , payer_trace_id
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from renamed
