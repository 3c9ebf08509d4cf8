{#-
    The X12 claim status exchange (005010X212, decision 0015), landed since the last build
    (decision 0025): one row per claim or service line a 276 asks about, and one per status
    composite (STC01 / STC10 / STC11) of a 277 response at its level (receiver, provider,
    claim, line). The patient account number (REF*EJ = 837 CLM01) becomes claim_key, the payer
    claim number a keyed hash, as in the 277CA staging; the traces (TRN02, the inquirer's
    number) and the check / EFT number (= 835 TRN02) stay: they identify no patient.
-#}
with source as (

    select * from {{ source('x12_277', 'claim_status_inquiry') }}
    {{ landed_since_last_build() }}

)

, renamed as (

    select
        record_key
        , transaction_set_id
        , case transaction_set_id when '276' then 'inquiry' when '277' then 'response' end as message_role
        , trim(trace_number) as trace_number
        , lower(trim(level)) as status_level
        , cast(line_number as integer) as line_number
        , {{ pseudonymize("nullif(trim(patient_account_number), '')") }} as claim_key
        , {{ pseudonymize("nullif(trim(payer_claim_number), '')") }} as payer_claim_key
        , upper(nullif(trim(category_code), '')) as category_code
        , nullif(trim(status_code), '') as status_code
        , nullif(trim(entity_code), '') as entity_code
        , cast(status_date as date) as status_date
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , cast(paid_amount as decimal(18, 2)) as paid_amount
        , cast(adjudication_date as date) as adjudication_date
        , cast(payment_date as date) as payment_date
        , nullif(trim(check_number), '') as check_number
        , nullif(trim(procedure_code), '') as procedure_code
        , cast(service_date_from as date) as service_date_from
        , cast(service_date_to as date) as service_date_to
        , nullif(trim(payer_id), '') as payer_id
        , nullif(trim(provider_id), '') as provider_id
        , cast(report_date as date) as report_date
        , sender_id
        , interchange_control_number
        , transaction_control_number
        -- GS04 + GS05 as the sender wrote them (no zone: decision 0031)
        , cast(group_created_at as timestamp) as group_created_at
        , cast(item_index as bigint) as item_index
        , batch_id
        , cast(received_at as timestamp) as received_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , schema_version
    from source

)

select * from renamed
