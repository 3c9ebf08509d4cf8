with source as (

    select * from {{ source('patient_accounting', 'appeal') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , trim(transaction_id) as transaction_id
        , cast(posted_date as date) as posted_date
        , {{ pseudonymize('claim_id') }} as claim_key
        , nullif(trim(facility_code), '') as facility_code
        , nullif(trim(payer_id), '') as payer_id
        , lower(nullif(trim(appeal_event), '')) as appeal_event
        , upper(nullif(trim(carc), '')) as carc
        , cast(denial_date as date) as denial_date
        , cast(appeal_deadline as date) as appeal_deadline
        , cast(amount as decimal(18, 2)) as amount
        , cast(extract_date as date) as extract_date
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
