{#-
    First-pass acceptance by submission day × facility × service line × payer (DESIGN §4):
    rate = first_pass_accepted_claims / submitted_claims (claims accepted (A2) on their first
    submission and never sent again / claims first submitted on the day). submitted_claims is
    also the denominator of the HFMA initial denial rate (denials / claims submitted).
-#}
with claims as (

    select * from {{ ref('fct_claims') }}

)

{{ kpi_grain_rollup('claims', 'submission_date', measures=[
    {'name': 'submitted_claims', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'first_pass_accepted_claims', 'aggregate': 'sum(case when is_first_pass_accepted then 1 else 0 end)', 'type': 'bigint'},
    {'name': 'resubmitted_claims', 'aggregate': 'sum(case when resubmission_count > 0 then 1 else 0 end)', 'type': 'bigint'},
    {'name': 'submitted_charges', 'aggregate': 'sum(charge_amount)', 'type': 'decimal(18, 2)'},
]) }}
