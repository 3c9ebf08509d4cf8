{#-
    One row per primary claim (claim_key, payer_id) with the dates of its journey and the
    claim-level KPI facts (DESIGN §4): cycle time = submission → first adjudication;
    scheduling-to-revenue lag = booked → first payment, with its hops.
-#}
with claims as (

    select * from {{ ref('int_claims_priced') }}

)

, outcomes as (

    select * from {{ ref('int_claim_adjudications_summarized') }}

)

, appointments as (

    select * from {{ ref('int_appointments_sequenced') }}

)

, visit_bookings as (

    -- the visit's appointment: a kept one before a cancelled one, then the earliest booked
    select
        visit_key
        , booked_at
        , row_number() over (
            partition by visit_key
            order by
                case when status_category = 'cancelled' then 1 else 0 end
                , booked_at nulls last
                , appointment_key
        ) as booking_rank
    from appointments
    where visit_key is not null

)

, joined as (

    select
        claims.claim_key
        , claims.payer_id
        , claims.payer_name
        , claims.facility_code
        , claims.legal_entity_code
        , claims.service_date
        , cast(visit_bookings.booked_at as date) as booked_date
        , claims.submission_date
        , outcomes.first_adjudication_date
        , outcomes.first_adjudication_denied
        , outcomes.first_payment_date
        , claims.charge_amount
        , claims.expected_reimbursement
        , coalesce(outcomes.paid_amount, 0) as paid_amount
        , claims.is_voided
    from claims
    left join outcomes
        on outcomes.claim_key = claims.claim_key
        and coalesce(outcomes.payer_id, '') = coalesce(claims.payer_id, '')
    left join visit_bookings
        on visit_bookings.visit_key = claims.claim_key
        and visit_bookings.booking_rank = 1

)

, final as (

    select
        cast(claim_key as varchar) as claim_key
        , cast(payer_id as varchar) as payer_id
        , cast(payer_name as varchar) as payer_name
        , cast(facility_code as varchar) as facility_code
        , cast(legal_entity_code as varchar) as legal_entity_code
        , cast(service_date as date) as service_date
        , cast(booked_date as date) as booked_date
        , cast(submission_date as date) as submission_date
        , cast(first_adjudication_date as date) as first_adjudication_date
        , cast(first_adjudication_denied as boolean) as first_adjudication_denied
        , cast(first_payment_date as date) as first_payment_date
        , cast(charge_amount as decimal(18, 2)) as charge_amount
        , cast(expected_reimbursement as decimal(18, 2)) as expected_reimbursement
        , cast(paid_amount as decimal(18, 2)) as paid_amount
        , cast({{ days_between('submission_date', 'first_adjudication_date') }} as integer)
            as cycle_time_days
        , cast({{ days_between('booked_date', 'first_payment_date') }} as integer)
            as scheduling_to_revenue_lag_days
        , cast({{ days_between('booked_date', 'service_date') }} as integer) as booked_to_service_days
        , cast({{ days_between('service_date', 'submission_date') }} as integer)
            as service_to_submission_days
        , cast({{ days_between('submission_date', 'first_payment_date') }} as integer)
            as submission_to_payment_days
        , cast(is_voided as boolean) as is_voided
    from joined

)

select * from final
