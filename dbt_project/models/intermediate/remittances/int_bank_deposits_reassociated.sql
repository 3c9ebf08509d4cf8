{{ config(unique_key='deposit_key') }}
{#-
    One row per BAI2 transaction detail with the 835 payment it reassociates with (pairs from
    int_remittance_payments_reassociated: trace number and amount). reassociation_status:
    matched; unmatched (a credit no 835 explains); not_a_credit (debits and other details).

    Incremental: the details landed since the last build, those sharing a trace number with a
    payment or detail landed since (pairs shift), and those whose payment's legal entity
    version a master-data change reaches.
-#}
{%- set since = incremental_since() %}
with master_changes as (

    {{ master_data_changes_since(since) }}

)

, landed_deposits as (

    select * from {{ ref('stg_bai2__bank_deposits') }}

)

, landed_payments as (

    select trace_number, received_at from {{ ref('stg_x12_835__remittance_payments') }}

)
{%- if since %}

, touched_deposits as (

    select record_key as deposit_key from landed_deposits
    where received_at >= {{ since }}
        or trace_number in (
            select trace_number from landed_payments where received_at >= {{ since }}
            union
            select trace_number from landed_deposits where received_at >= {{ since }}
        )

    union

    select deposits.deposit_key
    from {{ this }} as deposits
    where {{ master_data_changed('legal_entities', 'legal_entity_code', 'deposits.legal_entity_code', 'deposits.payment_date', null_matches=true) }}

)
{%- endif %}

, deposits as (

    select * from landed_deposits
    {{ where_touched('record_key', since, 'touched_deposits', 'deposit_key') }}

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}
    where deposit_key is not null
    {%- if since %}
        and deposit_key in (select deposit_key from touched_deposits)
    {%- endif %}

)

select
    deposits.record_key as deposit_key
    , deposits.account_number
    , deposits.currency
    , deposits.as_of_date
    , deposits.type_code
    , deposits.direction
    , deposits.amount
    , deposits.trace_number
    , deposits.customer_reference
    , deposits.bank_reference
    , payments.remittance_key
    , payments.payer_id
    , payments.legal_entity_code
    , payments.payment_date
    , case
        when deposits.direction <> 'credit' then 'not_a_credit'
        when payments.remittance_key is not null then 'matched'
        else 'unmatched'
    end as reassociation_status
    , deposits.file_id
    , deposits.batch_id
    , deposits.received_at
from deposits
left join payments
    on payments.deposit_key = deposits.record_key
