{#-
    One row per submitted primary claim (DESIGN §2: every KPI uses the primary claim) from the
    canonical claim int_claims_assembled (decision 0018), with the claim-level facts the KPI
    marts aggregate and the medians are taken from (DESIGN §4):

    - cycle time = submission → first adjudication; lag = booked → first payment, with hops
      (macro scheduling_to_revenue_lag_days, shared with fct_claim_journeys);
    - first pass = accepted (A2) on first submission and never sent again;
    - net collections = payer payments (primary Σ CLP04 incl. reversals, + secondary) + patient
      payments − refunds; collectible = charges − contractual adjustments;
    - underpayment = expected reimbursement − (paid + patient responsibility), paid claims only;
    - adjudication due date = submission + var('adjudication_sla_days', 45) (macro
      adjudication_due_date, macros/adjudication_sla.sql).

    Service line: the scheduled service of the visit, else the claim's first line, as the
    service master lists it on the date of service.
-#}
with claims as (

    select * from {{ ref('int_claims_assembled') }}
    where is_primary
        and has_submission

)

, encounters as (

    select * from {{ ref('int_encounters_enriched') }}

)

, first_lines as (

    select transmission_key, procedure_code
    from {{ ref('int_claim_lines_priced') }}
    where line_number = 1

)

, services as (

    select * from {{ ref('int_services_versioned') }}

)

, coded as (

    select
        claims.*
        , coalesce(encounters.service_code, first_lines.procedure_code) as service_code
    from claims
    left join encounters
        on encounters.visit_key = claims.claim_key
    left join first_lines
        on first_lines.transmission_key = claims.current_transmission_key

)

, joined as (

    select
        coded.*
        , services.service_line
    from coded
    left join services
        on services.service_code = coded.service_code
        and {{ valid_at('services', 'coded.service_date') }}

)

select
    cast(claim_identity_key as varchar) as claim_identity_key
    , cast(claim_key as varchar) as claim_key
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(payer_type as varchar) as payer_type
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_code as varchar) as service_code
    , cast(service_line as varchar) as service_line
    , cast(service_date as date) as service_date
    , cast(booked_date as date) as booked_date
    , cast(submission_date as date) as submission_date
    , cast(first_adjudication_date as date) as first_adjudication_date
    , cast(is_first_adjudication_denied as boolean) as first_adjudication_denied
    , cast(first_payment_date as date) as first_payment_date
    , cast(last_adjudication_date as date) as last_adjudication_date
    , cast(charge_amount as decimal(18, 2)) as charge_amount
    , cast(expected_reimbursement as decimal(18, 2)) as expected_reimbursement
    , cast(paid_amount as decimal(18, 2)) as paid_amount
    , cast(patient_responsibility_amount as decimal(18, 2)) as patient_responsibility_amount
    , cast(contractual_adjustment_amount as decimal(18, 2)) as contractual_adjustment_amount
    , cast(coalesce(secondary_paid_amount, 0) as decimal(18, 2)) as secondary_paid_amount
    , cast(patient_paid_amount as decimal(18, 2)) as patient_paid_amount
    , cast(refund_amount as decimal(18, 2)) as refund_amount
    , cast(
        paid_amount + coalesce(secondary_paid_amount, 0) + patient_paid_amount - refund_amount
        as decimal(18, 2)
    ) as net_collected_amount
    , cast(charge_amount - contractual_adjustment_amount as decimal(18, 2)) as collectible_amount
    , cast(underpayment_amount as decimal(18, 2)) as underpayment_amount
    , cast(coalesce(underpayment_amount > 0, false) as boolean) as is_underpaid
    , cast(is_first_pass_accepted as boolean) as is_first_pass_accepted
    , cast(resubmission_count as integer) as resubmission_count
    , cast(is_voided as boolean) as is_voided
    , cast(has_denial as boolean) as has_denial
    , cast(first_denial_date as date) as first_denial_date
    , cast(denial_resolution as varchar) as denial_resolution
    , cast(denial_resolution_date as date) as denial_resolution_date
    , cast(denial_write_off_date as date) as denial_write_off_date
    , cast(denial_write_off_amount as decimal(18, 2)) as denial_write_off_amount
    , cast({{ adjudication_due_date('submission_date') }} as date) as adjudication_due_date
    , cast({{ days_between('submission_date', 'first_adjudication_date') }} as integer)
        as cycle_time_days
    , {{ scheduling_to_revenue_lag_days('booked_to_first_payment') }} as scheduling_to_revenue_lag_days
    , {{ scheduling_to_revenue_lag_days('booked_to_service') }} as booked_to_service_days
    , {{ scheduling_to_revenue_lag_days('service_to_submission') }} as service_to_submission_days
    , {{ scheduling_to_revenue_lag_days('submission_to_first_payment') }} as submission_to_payment_days
    , cast({{ days_between('first_denial_date', 'denial_resolution_date') }} as integer)
        as denial_resolution_days
from joined
