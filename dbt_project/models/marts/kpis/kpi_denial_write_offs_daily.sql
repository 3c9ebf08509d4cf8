{#-
    Denial write-offs (HFMA MAP Key AR-6 basis) by day × facility × service line × payer:
    ratio = (denial_write_off_amount − recovered_amount) / net_patient_service_revenue.
    Write-offs are dated by their posting, recoveries (payer payments after the write-off) by
    their payment, net patient service revenue (expected reimbursement, DESIGN §4) by the date
    of service: billed claims plus the estimate for completed visits not billed yet
    (fct_ar_movements), kept apart so either can be read.
-#}
with activity as (

    select
        denial_write_off_date as kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , 1 as written_off_denials
        , denial_write_off_amount
        , 0 as recovered_amount
        , 0 as npsr_billed
        , 0 as npsr_unbilled_estimate
    from {{ ref('fct_denials') }}
    where denial_write_off_date is not null

    union all

    select
        recovery_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , 0
        , 0
        , recovered_amount
        , 0
        , 0
    from {{ ref('fct_denials') }}
    where recovery_date is not null

    union all

    select
        movement_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , 0
        , 0
        , 0
        , case when is_estimate then 0 else revenue_amount end
        , case when is_estimate then revenue_amount else 0 end
    from {{ ref('fct_ar_movements') }}
    where revenue_amount <> 0

)

, aggregated as (

    select
        kpi_date
        , facility_code
        , legal_entity_code
        , service_line
        , payer_id
        , payer_name
        , sum(written_off_denials) as written_off_denials
        , sum(denial_write_off_amount) as denial_write_off_amount
        , sum(recovered_amount) as recovered_amount
        , sum(npsr_billed) as npsr_billed
        , sum(npsr_unbilled_estimate) as npsr_unbilled_estimate
    from activity
    group by
        kpi_date
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
    , cast(written_off_denials as bigint) as written_off_denials
    , cast(denial_write_off_amount as decimal(18, 2)) as denial_write_off_amount
    , cast(recovered_amount as decimal(18, 2)) as recovered_amount
    , cast(denial_write_off_amount - recovered_amount as decimal(18, 2))
        as net_denial_write_off_amount
    , cast(npsr_billed as decimal(18, 2)) as npsr_billed
    , cast(npsr_unbilled_estimate as decimal(18, 2)) as npsr_unbilled_estimate
    , cast(npsr_billed + npsr_unbilled_estimate as decimal(18, 2)) as net_patient_service_revenue
from aggregated
