{#-
    The claim journey (DESIGN §6): one row per canonical claim (CLM01, payer, responsibility) with
    the time of every hop from booking to ERP posting and the lag of each hop, in days:

    booked (first S12 of the visit's appointment) → appointment start / service date → first 837
    sent → submission (first 837 the 999 accepted, its BHT04) → 999 acknowledgment → 277CA
    acknowledgment → first adjudication (DTM*405, else BPR16) → first payment (BPR16 of the first
    CLP with CLP04 > 0) → bank deposit of that payment's 835 → journal lines in the feed (service
    rendered at the date of service, the first payment's remittance at its payment date) → ERP
    posting.

    The ERP posting time is known only after writeback posts the feed (the writeback assets run
    after dbt); reading it here would make dbt depend on its own consumer, a cycle in the asset
    graph, so erp_posted_at stays null in dbt (decision 0023).

    Scheduling-to-revenue lag (DESIGN §4) = booked → service → submission → first payment, per
    hop and in total, over paid primary claims (in_scheduling_to_revenue_lag); medians and
    percentiles are taken over these claim-level rows, dated by the first payment. The hops are
    those of fct_claims (one definition: macro scheduling_to_revenue_lag_days); the journey keeps
    them for every canonical claim, fct_claims only for submitted primary claims.
-#}
with claims as (

    select * from {{ ref('int_claims_assembled') }}

)

, encounters as (

    select * from {{ ref('int_encounters_enriched') }}

)

, services as (

    select * from {{ ref('int_services_versioned') }}

)

, transmissions as (

    select transmission_key, batch_acknowledgment_date
    from {{ ref('int_claim_transmissions_acknowledged') }}

)

, first_paid_remittances as (

    -- the CLP of the first payment: the claim's earliest adjudication that paid
    select
        claim_identity_key
        , remittance_claim_key
        , remittance_key
        , row_number() over (
            partition by claim_identity_key
            order by remittance_date nulls last, remittance_sequence
        ) as payment_rank
    from {{ ref('int_remittance_claims_classified') }}
    where is_claim_adjudication
        and paid_amount > 0

)

, payments as (

    select remittance_key, deposit_key, deposit_date
    from {{ ref('int_remittance_payments_reassociated') }}

)

, journal_lines as (

    select
        event_type
        , source_event_key
        , min(journal_date) as journal_date
    from {{ ref('fct_journal_feed') }}
    group by event_type, source_event_key

)

, joined as (

    select
        claims.claim_identity_key
        , claims.claim_key
        , claims.payer_id
        , claims.payer_name
        , claims.payer_responsibility
        , claims.is_primary
        , claims.has_submission
        , claims.is_voided
        , claims.facility_code
        , claims.legal_entity_code
        , encounters.department
        , services.service_line
        , encounters.appointment_key
        , claims.booked_at
        , claims.booked_date
        , encounters.start_time as appointment_start_at
        , claims.service_date
        , claims.first_transmission_date
        , claims.submission_date
        , transmissions.batch_acknowledgment_date
        , claims.first_acknowledgment_date
        , claims.first_acknowledgment_category
        , claims.first_adjudication_date
        , claims.is_first_adjudication_denied
        , claims.first_payment_date
        , payments.deposit_date as first_payment_deposit_date
        , service_journal.journal_date as service_journal_date
        , remittance_journal.journal_date as first_payment_journal_date
        , claims.charge_amount
        , claims.paid_amount
    from claims
    left join encounters
        on encounters.visit_key = claims.claim_key
    left join services
        on services.service_code = encounters.service_code
        and {{ valid_at('services', 'claims.service_date') }}
    left join transmissions
        on transmissions.transmission_key = claims.submission_transmission_key
    left join first_paid_remittances
        on first_paid_remittances.claim_identity_key = claims.claim_identity_key
        and first_paid_remittances.payment_rank = 1
    left join payments
        on payments.remittance_key = first_paid_remittances.remittance_key
    left join journal_lines as service_journal
        on service_journal.event_type = 'service_rendered'
        and service_journal.source_event_key = claims.claim_key
        and claims.is_primary
    left join journal_lines as remittance_journal
        on remittance_journal.event_type in ('remittance', 'secondary_remittance')
        and remittance_journal.source_event_key = first_paid_remittances.remittance_claim_key

)

select
    cast(claim_identity_key as varchar) as claim_identity_key
    , cast(claim_key as varchar) as claim_key
    , cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(payer_responsibility as varchar) as payer_responsibility
    , cast(is_primary as boolean) as is_primary
    , cast(has_submission as boolean) as has_submission
    , cast(is_voided as boolean) as is_voided
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(department as varchar) as department
    , cast(service_line as varchar) as service_line
    , cast(appointment_key as varchar) as appointment_key
    , cast(booked_at as timestamp) as booked_at
    , cast(booked_date as date) as booked_date
    , cast(appointment_start_at as timestamp) as appointment_start_at
    , cast(service_date as date) as service_date
    , cast(first_transmission_date as date) as first_transmission_date
    , cast(submission_date as date) as submission_date
    , cast(batch_acknowledgment_date as date) as batch_acknowledgment_date
    , cast(first_acknowledgment_date as date) as claim_acknowledgment_date
    , cast(first_acknowledgment_category as varchar) as claim_acknowledgment_category
    , cast(first_adjudication_date as date) as first_adjudication_date
    , cast(is_first_adjudication_denied as boolean) as is_first_adjudication_denied
    , cast(first_payment_date as date) as first_payment_date
    , cast(first_payment_deposit_date as date) as first_payment_deposit_date
    , cast(service_journal_date as date) as service_journal_date
    , cast(first_payment_journal_date as date) as first_payment_journal_date
    , cast(null as timestamp) as erp_posted_at
    , cast(charge_amount as decimal(18, 2)) as charge_amount
    , cast(paid_amount as decimal(18, 2)) as paid_amount
    , cast(is_primary and has_submission and first_payment_date is not null as boolean)
        as in_scheduling_to_revenue_lag
    , {{ scheduling_to_revenue_lag_days('booked_to_service') }} as booked_to_service_days
    , cast({{ days_between('service_date', 'first_transmission_date') }} as integer)
        as service_to_first_transmission_days
    , {{ scheduling_to_revenue_lag_days('service_to_submission') }} as service_to_submission_days
    , cast({{ days_between('submission_date', 'batch_acknowledgment_date') }} as integer)
        as submission_to_batch_acknowledgment_days
    , cast({{ days_between('submission_date', 'first_acknowledgment_date') }} as integer)
        as submission_to_claim_acknowledgment_days
    , cast({{ days_between('submission_date', 'first_adjudication_date') }} as integer)
        as submission_to_first_adjudication_days
    , cast({{ days_between('first_adjudication_date', 'first_payment_date') }} as integer)
        as first_adjudication_to_first_payment_days
    , {{ scheduling_to_revenue_lag_days('submission_to_first_payment') }}
        as submission_to_first_payment_days
    , cast({{ days_between('first_payment_date', 'first_payment_deposit_date') }} as integer)
        as first_payment_to_deposit_days
    , cast({{ days_between('first_payment_date', 'first_payment_journal_date') }} as integer)
        as first_payment_to_journal_days
    , {{ scheduling_to_revenue_lag_days('booked_to_first_payment') }} as booked_to_first_payment_days
from joined
