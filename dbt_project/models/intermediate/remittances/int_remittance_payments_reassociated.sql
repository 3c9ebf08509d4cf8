{{ config(unique_key='remittance_key') }}
{#-
    One row per 835 payment (BPR / TRN) with the bank deposit it reassociates with (DESIGN §2):
    a BAI2 credit with the same trace number (TRN02) and amount (BPR02). Identical pairs are
    matched one to one in date order. The payee's legal entity comes from its tax id.

    reassociation_status: matched; no_payment (BPR02 <= 0 or payment method NON: nothing to
    deposit); awaiting_deposit (paid after the latest landed bank file); missing_deposit.

    Incremental: the payments sharing a trace number with a payment or credit landed since the
    last build (pairs are ranked per trace number), those a later bank day turns from awaiting
    to missing, and those whose payee legal entity version a master-data change reaches.
-#}
{%- set since = incremental_since() %}
with master_changes as (

    {{ master_data_changes_since(since) }}

)

, landed_payments as (

    select * from {{ ref('stg_x12_835__remittance_payments') }}

)

, credits as (

    select * from {{ ref('stg_bai2__bank_deposits') }}
    where direction = 'credit'

)

, latest_bank_day as (

    -- the bank as-of date: the latest BAI2 day landed; a payment dated after it awaits its deposit
    select max(as_of_date) as as_of_date from credits

)
{%- if since %}

, bank_days as (

    -- the bank day before this run's landings, and now
    select
        max(case when credits.received_at < {{ since }} then credits.as_of_date end) as latest_before
        , max(latest_bank_day.as_of_date) as latest_now
    from credits
    cross join latest_bank_day

)

, seed_payments as (

    select remittance_key, trace_number from landed_payments
    where received_at >= {{ since }}

    union

    select landed_payments.remittance_key, landed_payments.trace_number
    from landed_payments
    cross join bank_days
    where bank_days.latest_now is not null
        and (landed_payments.payment_date is null or landed_payments.payment_date <= bank_days.latest_now)
        and (
            bank_days.latest_before is null
            or landed_payments.payment_date > bank_days.latest_before
        )

    union

    select payments.remittance_key, payments.trace_number
    from {{ this }} as payments
    where {{ master_data_changed('legal_entities', 'legal_entity_code', 'payments.legal_entity_code', 'payments.payment_date', null_matches=true) }}

)

, touched_traces as (

    select trace_number from seed_payments where trace_number is not null
    union
    select trace_number from credits where received_at >= {{ since }} and trace_number is not null

)
{%- endif %}

, payments as (

    select * from landed_payments
    {%- if since %}
    where remittance_key in (select remittance_key from seed_payments)
        or trace_number in (select trace_number from touched_traces)
    {%- endif %}

)

, deposits as (

    select * from credits
    {{ where_touched('trace_number', since, 'touched_traces', 'trace_number') }}

)

, legal_entities as (

    select * from {{ ref('int_legal_entities_versioned') }}

)

, expected as (

    select
        payments.*
        , payments.payment_amount > 0 and coalesce(payments.payment_method, '') <> 'NON' as expects_deposit
        , row_number() over (
            partition by payments.trace_number, payments.payment_amount
            order by payments.payment_date nulls last, payments.remittance_key
        ) as pair_rank
    from payments

)

, deposit_candidates as (

    select
        deposits.*
        , row_number() over (
            partition by deposits.trace_number, deposits.amount
            order by deposits.as_of_date, deposits.record_key
        ) as pair_rank
    from deposits
    where deposits.trace_number is not null

)

, matched as (

    select
        expected.*
        , deposit_candidates.record_key as deposit_key
        , deposit_candidates.as_of_date as deposit_date
        , deposit_candidates.account_number as deposit_account_number
    from expected
    left join deposit_candidates
        on expected.expects_deposit
        and deposit_candidates.trace_number = expected.trace_number
        and deposit_candidates.amount = expected.payment_amount
        and deposit_candidates.pair_rank = expected.pair_rank

)

select
    matched.remittance_key
    , matched.record_key as remittance_payment_record_key
    , matched.trace_number
    , matched.payer_trace_id
    , matched.payer_id
    , matched.payer_name
    , legal_entities.legal_entity_code
    , matched.payee_npi
    , matched.payment_amount
    , matched.credit_debit_flag
    , matched.payment_method
    , matched.payment_date
    , matched.production_date
    , matched.claim_count
    , matched.expects_deposit
    , matched.deposit_key
    , matched.deposit_date
    , matched.deposit_account_number
    , cast({{ days_between('matched.payment_date', 'matched.deposit_date') }} as integer) as days_to_deposit
    , case
        when not matched.expects_deposit then 'no_payment'
        when matched.deposit_key is not null then 'matched'
        when latest_bank_day.as_of_date is null or matched.payment_date > latest_bank_day.as_of_date
            then 'awaiting_deposit'
        else 'missing_deposit'
    end as reassociation_status
    , matched.sender_id
    , matched.interchange_control_number
    , matched.transaction_control_number
    , matched.received_at
from matched
cross join latest_bank_day
left join legal_entities
    on replace(legal_entities.tax_id, '-', '') = replace(matched.payee_tax_id, '-', '')
    and {{ valid_at('legal_entities', 'matched.payment_date') }}
