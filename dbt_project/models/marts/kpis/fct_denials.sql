{#-
    One row per denied primary claim (int_denials_tracked, DESIGN §4): its first denial, reason
    and taxonomy, appeal and deadline, resolution (a later adjudication with CLP04 > 0, else a
    denial write-off) and the days to it, the write-off and its recoveries (payer payments
    dated after the write-off), with the claim's dimensions from fct_claims.
-#}
with denials as (

    select * from {{ ref('int_denials_tracked') }}

)

, claims as (

    select * from {{ ref('fct_claims') }}

)

, remittances as (

    select * from {{ ref('int_remittance_claims_classified') }}

)

, recoveries as (

    select
        denials.claim_identity_key
        , min(remittances.remittance_date) as recovery_date
        , sum(remittances.paid_amount) as recovered_amount
    from denials
    inner join remittances
        on remittances.claim_identity_key = denials.claim_identity_key
        and remittances.remittance_date > denials.denial_write_off_date
        and remittances.paid_amount <> 0
    group by denials.claim_identity_key

)

select
    cast(denials.claim_identity_key as varchar) as claim_identity_key
    , cast(claims.claim_key as varchar) as claim_key
    , cast(claims.payer_id as varchar) as payer_id
    , cast(claims.payer_name as varchar) as payer_name
    , cast(claims.payer_type as varchar) as payer_type
    , cast(claims.facility_code as varchar) as facility_code
    , cast(claims.legal_entity_code as varchar) as legal_entity_code
    , cast(claims.service_line as varchar) as service_line
    , cast(denials.first_denial_date as date) as first_denial_date
    , cast(denials.is_initial_denial as boolean) as is_initial_denial
    , cast(denials.first_denial_carc as varchar) as first_denial_carc
    , cast(denials.denial_category as varchar) as denial_category
    , cast(denials.is_preventable as boolean) as is_preventable
    , cast(denials.owner_team as varchar) as owner_team
    , cast(claims.charge_amount as decimal(18, 2)) as charge_amount
    , cast(claims.expected_reimbursement as decimal(18, 2)) as expected_reimbursement
    , cast(denials.appeal_filed_date as date) as appeal_filed_date
    , cast(denials.appeal_outcome as varchar) as appeal_outcome
    , cast(denials.appeal_deadline_date as date) as appeal_deadline_date
    , cast(denials.resolution_type as varchar) as resolution_type
    , cast(denials.resolution_date as date) as resolution_date
    , cast(denials.days_to_resolution as integer) as days_to_resolution
    , cast(denials.denial_write_off_date as date) as denial_write_off_date
    , cast(denials.denial_write_off_amount as decimal(18, 2)) as denial_write_off_amount
    , cast(recoveries.recovery_date as date) as recovery_date
    , cast(coalesce(recoveries.recovered_amount, 0) as decimal(18, 2)) as recovered_amount
from denials
inner join claims
    on claims.claim_identity_key = denials.claim_identity_key
left join recoveries
    on recoveries.claim_identity_key = denials.claim_identity_key
