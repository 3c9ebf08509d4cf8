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

, aggregated as (

    select
        last_adjudication_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as finally_adjudicated_claims
        , sum(paid_amount) as payer_paid_amount
        , sum(secondary_paid_amount) as secondary_paid_amount
        , sum(patient_paid_amount) as patient_paid_amount
        , sum(refund_amount) as refund_amount
        , sum(net_collected_amount) as net_collected_amount
        , sum(charge_amount) as charge_amount
        , sum(contractual_adjustment_amount) as contractual_adjustment_amount
        , sum(collectible_amount) as collectible_amount
    from claims
    group by
        last_adjudication_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name

)

select
    cast(kpi_date as date) as kpi_date
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(finally_adjudicated_claims as bigint) as finally_adjudicated_claims
    , cast(payer_paid_amount as decimal(18, 2)) as payer_paid_amount
    , cast(secondary_paid_amount as decimal(18, 2)) as secondary_paid_amount
    , cast(patient_paid_amount as decimal(18, 2)) as patient_paid_amount
    , cast(refund_amount as decimal(18, 2)) as refund_amount
    , cast(net_collected_amount as decimal(18, 2)) as net_collected_amount
    , cast(charge_amount as decimal(18, 2)) as charge_amount
    , cast(contractual_adjustment_amount as decimal(18, 2)) as contractual_adjustment_amount
    , cast(collectible_amount as decimal(18, 2)) as collectible_amount
from aggregated
