{#-
    One row per BAI2 transaction detail with the 835 payment it reassociates with (pairs from
    int_remittance_payments_reassociated: trace number and amount). reassociation_status:
    matched; unmatched (a credit no 835 explains); not_a_credit (debits and other details).
-#}
with deposits as (

    select * from {{ ref('stg_bai2__bank_deposits') }}

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}
    where deposit_key is not null

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
