with source as (

    select * from {{ source('bai2', 'bank_deposit') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , account_number
        , upper(nullif(trim(currency), '')) as currency
        , cast(as_of_date as date) as as_of_date
        , trim(type_code) as type_code
        , lower(trim(direction)) as direction
        , cast(amount as decimal(18, 2)) as amount
        , nullif(trim(funds_type), '') as funds_type
        , nullif(trim(bank_reference), '') as bank_reference
        , nullif(trim(customer_reference), '') as customer_reference
        , nullif(trim(text), '') as detail_text
        , nullif(trim(trace_number), '') as trace_number
        , originator_id
        , sender_id
        , file_id
        , cast(file_creation_date as date) as file_creation_date
        , cast(occurrence as integer) as occurrence
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
