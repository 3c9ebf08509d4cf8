with source as (

    select * from {{ source('x12_837', 'claim_service_line') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , nullif(trim(payer_id), '') as payer_id
        , trim(frequency_code) as frequency_code
        , cast(line_number as integer) as line_number
        , {{ pseudonymize('line_control_number') }} as line_control_key
        , nullif(trim(procedure_code), '') as procedure_code
        , nullif(trim(revenue_code), '') as revenue_code
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , cast(units as decimal(18, 4)) as units
        , cast(service_date as date) as service_date
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
