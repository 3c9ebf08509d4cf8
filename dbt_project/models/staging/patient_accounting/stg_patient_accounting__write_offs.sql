with source as (

    select * from {{ source('patient_accounting', 'write_off') }}
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
        , lower(nullif(trim(write_off_type), '')) as write_off_type
        , upper(nullif(trim(carc), '')) as carc
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
