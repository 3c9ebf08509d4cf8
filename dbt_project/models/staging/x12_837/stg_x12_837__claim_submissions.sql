with source as (

    select * from {{ source('x12_837', 'claim_submission') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , {{ pseudonymize('claim_id') }} as claim_key
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , trim(frequency_code) as frequency_code
        , place_of_service
        , facility_code_qualifier
        , upper(trim(payer_responsibility)) as payer_responsibility
        , nullif(trim(payer_id), '') as payer_id
        , payer_name
        , billing_npi
        , facility_npi
        , rendering_npi
        , {{ pseudonymize('subscriber_id') }} as subscriber_key
        , {{ pseudonymize('original_payer_claim_number') }} as original_payer_claim_key
        , cast(service_date_from as date) as service_date_from
        , cast(service_date_to as date) as service_date_to
        , cast(line_count as integer) as line_count
        , cast(submission_date as date) as submission_date
        , transaction_type
        , sender_id
        , interchange_control_number
        , group_control_number
        , transaction_control_number
        -- GS04 + GS05 as the sender wrote them (no zone: decision 0031)
        , cast(group_created_at as timestamp) as group_created_at
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
