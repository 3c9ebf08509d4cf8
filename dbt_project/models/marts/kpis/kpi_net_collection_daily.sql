{#-
    Net collection rate by final-adjudication day × facility × service line × payer (DESIGN §4,
    over claims finally adjudicated in the period: dated by their last adjudication or
    reversal): rate = net_collected_amount / collectible_amount, where net collected = payer
    payments (primary, incl. reversals, and secondary) + patient payments − refunds and
    collectible = charges − contractual-category adjustments.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where last_adjudication_date is not null

)

{{ kpi_grain_rollup('claims', 'last_adjudication_date', measures=[
    {'name': 'finally_adjudicated_claims', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'payer_paid_amount', 'aggregate': 'sum(paid_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'secondary_paid_amount', 'aggregate': 'sum(secondary_paid_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'patient_paid_amount', 'aggregate': 'sum(patient_paid_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'refund_amount', 'aggregate': 'sum(refund_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'net_collected_amount', 'aggregate': 'sum(net_collected_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'charge_amount', 'aggregate': 'sum(charge_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'contractual_adjustment_amount', 'aggregate': 'sum(contractual_adjustment_amount)', 'type': 'decimal(18, 2)'},
    {'name': 'collectible_amount', 'aggregate': 'sum(collectible_amount)', 'type': 'decimal(18, 2)'},
]) }}
