with source as (

    select * from {{ source('x12_999', 'interchange_acknowledgment') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , acknowledged_interchange_control_number
        , cast(acknowledged_interchange_date as date) as acknowledged_interchange_date
        , acknowledged_interchange_time
        , upper(trim(status)) as status
        , nullif(trim(note_code), '') as note_code
        , trim(sender_id) as sender_id
        , nullif(trim(receiver_id), '') as receiver_id
        , interchange_control_number
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
