{#-
    First-pass acceptance by submission day × facility × service line × payer (DESIGN §4):
    rate = first_pass_accepted_claims / submitted_claims (claims accepted (A2) on their first
    submission and never sent again / claims first submitted on the day). submitted_claims is
    also the denominator of the HFMA initial denial rate (denials / claims submitted).
-#}
with claims as (

    select * from {{ ref('fct_claims') }}

)

, aggregated as (

    select
        submission_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , count(*) as submitted_claims
        , sum(case when is_first_pass_accepted then 1 else 0 end) as first_pass_accepted_claims
        , sum(case when resubmission_count > 0 then 1 else 0 end) as resubmitted_claims
        , sum(charge_amount) as submitted_charges
    from claims
    group by
        submission_date
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
    , cast(submitted_claims as bigint) as submitted_claims
    , cast(first_pass_accepted_claims as bigint) as first_pass_accepted_claims
    , cast(resubmitted_claims as bigint) as resubmitted_claims
    , cast(submitted_charges as decimal(18, 2)) as submitted_charges
from aggregated
