{#-
    One row per provider-level adjustment (835 PLB reason / amount pair) with its payment
    (payer, dates, the payee's legal entity) and its class (seed plb_adjustment_reasons:
    interest L6, overpayment recovery WO, ...). A positive amount reduces the payment:
    BPR02 = Σ CLP04 − Σ PLB.
-#}
with provider_adjustments as (

    select * from {{ ref('stg_x12_835__provider_adjustments') }}

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}

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
