with source as (

    select * from {{ source('x12_835', 'remittance_line') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id', 'claim_index']) }} as remittance_claim_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , cast(line_number as integer) as line_number
        , {{ pseudonymize('line_control_number') }} as line_control_key
        , nullif(trim(procedure_code), '') as procedure_code
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , cast(paid_amount as decimal(18, 2)) as paid_amount
        , cast(units as decimal(18, 4)) as units
        , cast(service_date as date) as service_date
        , cast(claim_index as integer) as claim_index
        , trace_number
        , payer_trace_id
        , nullif(trim(remark_codes), '') as remark_codes
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from renamed
