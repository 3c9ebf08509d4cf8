with source as (

    select * from {{ source('x12_835', 'remittance_claim') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id', 'claim_index']) }} as remittance_claim_key
        , {{ surrogate_key(['trace_number', 'payer_trace_id']) }} as remittance_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , trim(status_code) as status_code
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , cast(paid_amount as decimal(18, 2)) as paid_amount
        , cast(patient_responsibility_amount as decimal(18, 2)) as patient_responsibility_amount
        , claim_filing_indicator
        , {{ pseudonymize('payer_claim_control_number') }} as payer_claim_key
        , facility_type_code
        , frequency_code
        , cast(service_date_from as date) as service_date_from
        , cast(service_date_to as date) as service_date_to
        , cast(claim_index as integer) as claim_index
        , trace_number
        , payer_trace_id
        , nullif(trim(payer_id), '') as payer_id
        , cast(production_date as date) as production_date
        , cast(payment_date as date) as payment_date
        , nullif(trim(remark_codes), '') as remark_codes
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from source

)

select * from renamed
