{#-
    Every movement of net patient A/R (DESIGN §4, net days in A/R), one row each, signed by its
    effect on the receivable, on the primary claim's dimensions:
    - service_rendered (+): expected reimbursement of a submitted primary claim, dated by the
      date of service; unbilled_service (+): the estimate of a completed visit not billed yet
      (fct_unbilled_encounters). Both are net patient service revenue (revenue_amount).
    - payer_payment (−): every 835 CLP04 of the claim's visit (primary and secondary; a
      reversal's negative amount adds back), dated by BPR16;
    - patient_payment (−), refund (+), write_off (−: denial, bad debt, charity, small
      balance): the patient-accounting events, dated by posting.
    PLB provider-level adjustments and remits of claims never submitted are not claim A/R.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}

)

, visit_claims as (

    -- the visit's primary claim carries the visit's other claims' money (secondary, patient)
    select
        claims.*
        , row_number() over (partition by claim_key order by claim_identity_key) as visit_rank
    from claims

)

, movements as (

    select
        claim_identity_key as movement_key
        , 'service_rendered' as movement_type
        , service_date as movement_date
        , claim_identity_key
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , coalesce(expected_reimbursement, 0) as ar_amount
        , coalesce(expected_reimbursement, 0) as revenue_amount
        , false as is_estimate
    from claims

    union all

    select
        visit_key
        , 'unbilled_service'
        , service_date
        , null
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , estimated_expected_reimbursement
        , estimated_expected_reimbursement
        , true
    from {{ ref('fct_unbilled_encounters') }}
    where estimated_expected_reimbursement is not null

    union all

    select
        remittances.remittance_claim_key
        , 'payer_payment'
        , remittances.remittance_date
        , visit_claims.claim_identity_key
        , visit_claims.facility_code
        , visit_claims.legal_entity_code
        , visit_claims.service_line
        , visit_claims.payer_id
        , visit_claims.payer_name
        , -remittances.paid_amount
        , 0
        , false
    from {{ ref('int_remittance_claims_classified') }} as remittances
    inner join visit_claims
        on visit_claims.claim_key = remittances.claim_key
        and visit_claims.visit_rank = 1
    where remittances.paid_amount <> 0

    union all

    select
        events.event_key
        , events.event_type
        , events.posted_date
        , visit_claims.claim_identity_key
        , visit_claims.facility_code
        , visit_claims.legal_entity_code
        , visit_claims.service_line
        , visit_claims.payer_id
        , visit_claims.payer_name
        , events.ar_effect_amount
        , 0
        , false
    from {{ ref('int_patient_accounting_events_unioned') }} as events
    inner join visit_claims
        on visit_claims.claim_key = events.claim_key
        and visit_claims.visit_rank = 1
    where events.ar_effect_amount <> 0

)

select
    cast(movement_type || ':' || movement_key as varchar) as movement_key
    , cast(movement_type as varchar) as movement_type
    , cast(movement_date as date) as movement_date
    , cast(claim_identity_key as varchar) as claim_identity_key
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(ar_amount as decimal(18, 2)) as ar_amount
    , cast(revenue_amount as decimal(18, 2)) as revenue_amount
    , cast(is_estimate as boolean) as is_estimate
from movements
