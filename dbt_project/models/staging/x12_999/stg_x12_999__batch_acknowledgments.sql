with source as (

    select * from {{ source('x12_999', 'batch_acknowledgment') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , upper(trim(functional_id)) as functional_id
        , acknowledged_group_control_number
        , acknowledged_version
        , upper(trim(group_status)) as group_status
        , cast(transaction_sets_included as integer) as transaction_sets_included
        , cast(transaction_sets_received as integer) as transaction_sets_received
        , cast(transaction_sets_accepted as integer) as transaction_sets_accepted
        , nullif(trim(group_error_codes), '') as group_error_codes
        , transaction_set_results
        , trim(sender_id) as sender_id
        , nullif(trim(receiver_id), '') as receiver_id
        , cast(report_date as date) as report_date
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
