{{ config(unique_key='provider_adjustment_key') }}
{#-
    One row per provider-level adjustment (835 PLB reason / amount pair) with its payment
    (payer, dates, the payee's legal entity) and its class (seed plb_adjustment_reasons:
    interest L6, overpayment recovery WO, ...). A positive amount reduces the payment:
    BPR02 = Σ CLP04 − Σ PLB.

    Incremental: the adjustments landed since the last build and those whose payment's legal
    entity version a master-data change reaches (a PLB lands with its payment, one 835).
-#}
{%- set since = incremental_since() %}
with master_changes as (

    {{ master_data_changes_since(since) }}

)
{%- if since %}

, touched_adjustments as (

    select record_key as provider_adjustment_key
    from {{ ref('stg_x12_835__provider_adjustments') }}
    where received_at >= {{ since }}

    union

    select adjustments.provider_adjustment_key
    from {{ this }} as adjustments
    where {{ master_data_changed('legal_entities', 'legal_entity_code', 'adjustments.legal_entity_code', 'adjustments.payment_date', null_matches=true) }}

)
{%- endif %}

, provider_adjustments as (

    select * from {{ ref('stg_x12_835__provider_adjustments') }}
    {{ where_touched('record_key', since, 'touched_adjustments', 'provider_adjustment_key') }}

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}
    {%- if since %}
    where remittance_key in (select remittance_key from provider_adjustments)
    {%- endif %}

)

, reasons as (

    select * from {{ ref('plb_adjustment_reasons') }}

)

select
    provider_adjustments.record_key as provider_adjustment_key
    , provider_adjustments.remittance_key
    , payments.payer_id
    , payments.legal_entity_code
    , payments.payment_date
    , payments.production_date
    , provider_adjustments.provider_id
    , provider_adjustments.fiscal_period_date
    , provider_adjustments.reason_code
    , reasons.description as reason_description
    , coalesce(reasons.adjustment_class, 'other') as adjustment_class
    , provider_adjustments.reference_key
    , provider_adjustments.amount
    , provider_adjustments.adjustment_index
    , provider_adjustments.trace_number
    , provider_adjustments.payer_trace_id
    , provider_adjustments.batch_id
    , provider_adjustments.received_at
from provider_adjustments
left join payments
    on payments.remittance_key = provider_adjustments.remittance_key
left join reasons
    on reasons.reason_code = provider_adjustments.reason_code
