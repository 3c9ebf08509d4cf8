{#-
    One row per completed visit (DESIGN §4) up to the as-of date without a submitted primary
    claim: rendered, not yet billed, part of net A/R. Its expected reimbursement is estimated,
    since the scheduling feeds carry neither the payer nor the billed lines:
    - `own_claim`: the visit's primary claim was sent but no 837 got past the 999 yet: that
      claim's payer and priced lines;
    - `patient_payer`: the payer of the patient's nearest submitted primary claim (by date of
      service, earlier first), at its contract rate for the scheduled service, one unit;
    - `unpriced`: the patient was never billed (self-pay, or a first visit not billed yet):
      no expected reimbursement, so not in net A/R (counted, not estimated).
-#}
with encounters as (

    select * from {{ ref('int_encounters_enriched') }}
    where is_completed
        and appointment_key is not null

)

, as_of as (

    select as_of_date from {{ ref('kpi_as_of_date') }}

)

, submitted_claims as (

    select * from {{ ref('fct_claims') }}

)

, unsent_claims as (

    -- primary claims the 999 rejected every time so far (never submitted)
    select
        claim_key
        , payer_id
        , expected_reimbursement
        , row_number() over (partition by claim_key order by claim_identity_key) as claim_rank
    from {{ ref('int_claims_assembled') }}
    where is_primary
        and not has_submission
        and transmission_count > 0

)

, contracts as (

    select * from {{ ref('int_payer_contracts_versioned') }}
    where is_latest_version

)

, services as (

    select * from {{ ref('int_services_versioned') }}

)

, unbilled as (

    select encounters.*
    from encounters
    cross join as_of
    where encounters.service_date <= as_of.as_of_date
        and not exists (
            select 1 from submitted_claims
            where submitted_claims.claim_key = encounters.visit_key
        )

)

, patient_claims as (

    select
        encounters.patient_key
        , submitted_claims.payer_id
        , submitted_claims.service_date
        , submitted_claims.claim_identity_key
    from submitted_claims
    inner join {{ ref('int_encounters_enriched') }} as encounters
        on encounters.visit_key = submitted_claims.claim_key
    where encounters.patient_key is not null

)

, patient_payers as (

    select
        unbilled.visit_key
        , patient_claims.payer_id
        , row_number() over (
            partition by unbilled.visit_key
            order by
                case when patient_claims.service_date <= unbilled.service_date then 0 else 1 end
                , {{ days_between('patient_claims.service_date', 'unbilled.service_date') }} * case
                    when patient_claims.service_date <= unbilled.service_date then 1 else -1 end
                , patient_claims.claim_identity_key
        ) as payer_rank
    from unbilled
    inner join patient_claims
        on patient_claims.patient_key = unbilled.patient_key

)

, estimated as (

    select
        unbilled.visit_key
        , unbilled.facility_code
        , unbilled.legal_entity_code
        , unbilled.service_code
        , unbilled.service_date
        , unsent_claims.payer_id as unsent_payer_id
        , unsent_claims.expected_reimbursement as unsent_expected_reimbursement
        , patient_payers.payer_id as patient_payer_id
        , contracts.expected_reimbursement as contract_rate
        , row_number() over (
            partition by unbilled.visit_key
            order by contracts.effective_from desc nulls last
        ) as contract_rank
    from unbilled
    left join unsent_claims
        on unsent_claims.claim_key = unbilled.visit_key
        and unsent_claims.claim_rank = 1
    left join patient_payers
        on patient_payers.visit_key = unbilled.visit_key
        and patient_payers.payer_rank = 1
    left join contracts
        on contracts.payer_id = patient_payers.payer_id
        and contracts.service_code = unbilled.service_code
        and unbilled.service_date >= contracts.effective_from
        and (contracts.effective_to is null or unbilled.service_date <= contracts.effective_to)

)

, priced as (

    select
        estimated.*
        , case
            when unsent_payer_id is not null then 'own_claim'
            when patient_payer_id is not null and contract_rate is not null then 'patient_payer'
            else 'unpriced'
        end as estimate_basis
    from estimated
    where contract_rank = 1

)

, payers as (

    select * from {{ ref('int_payers_versioned') }}

)

select
    cast(priced.visit_key as varchar) as visit_key
    , cast(priced.facility_code as varchar) as facility_code
    , cast(priced.legal_entity_code as varchar) as legal_entity_code
    , cast(priced.service_code as varchar) as service_code
    , cast(services.service_line as varchar) as service_line
    , cast(priced.service_date as date) as service_date
    , cast(
        case priced.estimate_basis
            when 'own_claim' then priced.unsent_payer_id
            when 'patient_payer' then priced.patient_payer_id
        end as varchar
    ) as payer_id
    , cast(payers.payer_name as varchar) as payer_name
    , cast(priced.estimate_basis as varchar) as estimate_basis
    , cast(
        case priced.estimate_basis
            when 'own_claim' then priced.unsent_expected_reimbursement
            when 'patient_payer' then priced.contract_rate
        end as decimal(18, 2)
    ) as estimated_expected_reimbursement
from priced
left join services
    on services.service_code = priced.service_code
    and {{ valid_at('services', 'priced.service_date') }}
left join payers
    on payers.payer_id = (
        case priced.estimate_basis
            when 'own_claim' then priced.unsent_payer_id
            when 'patient_payer' then priced.patient_payer_id
        end
    )
    and {{ valid_at('payers', 'priced.service_date') }}
