{#-
    Underpayment variance by first-payment day × facility × service line × payer (DESIGN §4):
    per paid claim = underpayment_amount / paid_claims, where a claim's underpayment = expected
    reimbursement − (paid + patient responsibility); underpaid_claims counts the positive ones.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_payment_date is not null

)

, aggregated as (

    select
        first_payment_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as paid_claims
        , sum(case when is_underpaid then 1 else 0 end) as underpaid_claims
        , sum(coalesce(underpayment_amount, 0)) as underpayment_amount
        , sum(case when is_underpaid then underpayment_amount else 0 end) as underpaid_amount
        , sum(coalesce(expected_reimbursement, 0)) as expected_reimbursement
        , sum(paid_amount + patient_responsibility_amount) as paid_and_patient_responsibility
    from claims
    group by
        first_payment_date
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
    , cast(paid_claims as bigint) as paid_claims
    , cast(underpaid_claims as bigint) as underpaid_claims
    , cast(underpayment_amount as decimal(18, 2)) as underpayment_amount
    , cast(underpaid_amount as decimal(18, 2)) as underpaid_amount
    , cast(expected_reimbursement as decimal(18, 2)) as expected_reimbursement
    , cast(paid_and_patient_responsibility as decimal(18, 2)) as paid_and_patient_responsibility
from aggregated
