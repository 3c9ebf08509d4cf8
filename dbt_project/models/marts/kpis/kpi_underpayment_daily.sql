{#-
    Underpayment variance by first-payment day × facility × service line × payer (DESIGN §4):
    per paid claim = underpayment_amount / paid_claims, where a claim's underpayment = expected
    reimbursement − (paid + patient responsibility); underpaid_claims counts the positive ones.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}
    where first_payment_date is not null

)

{{ kpi_grain_rollup('claims', 'first_payment_date', measures=[
    {'name': 'paid_claims', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'underpaid_claims', 'aggregate': 'sum(case when is_underpaid then 1 else 0 end)', 'type': 'bigint'},
    {'name': 'underpayment_amount', 'aggregate': 'sum(coalesce(underpayment_amount, 0))', 'type': 'decimal(18, 2)'},
    {'name': 'underpaid_amount', 'aggregate': 'sum(case when is_underpaid then underpayment_amount else 0 end)', 'type': 'decimal(18, 2)'},
    {'name': 'expected_reimbursement', 'aggregate': 'sum(coalesce(expected_reimbursement, 0))', 'type': 'decimal(18, 2)'},
    {'name': 'paid_and_patient_responsibility', 'aggregate': 'sum(paid_amount + patient_responsibility_amount)', 'type': 'decimal(18, 2)'},
]) }}
