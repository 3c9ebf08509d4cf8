{#-
    Reconciliation breaks (DESIGN §4), one row per open break, as of the KPI marts' as-of date
    (kpi_as_of_date: the last day with revenue-cycle activity landed, or var('kpi_as_of_date');
    decision 0024):

    - remit_without_submission: a claim (CLP01, payer, responsibility) that 835s adjudicate or
      reverse but no 837 the 999 accepted ever carried; dated by its latest remit. Its facility
      (decision 0027): that of the visit its CLP01 names, when one is known; else the one facility
      its payee bills for (the service facilities of the 837s sent under the payee's NPI, 2010AA =
      835 N1*PE); else null: a payee billing for several facilities (a parent's shared TIN) cannot
      say which one was paid for, and the 835 names nothing else.
    - claim_without_adjudication: a submitted primary claim, not voided, whose adjudication
      due date (fct_claims: submission + var('adjudication_sla_days', 45)) has passed without an
      adjudication by the as-of date; dated by the due date (the same claims as
      kpi_adjudication_overdue_daily.overdue_claims).
    - remit_without_deposit: an 835 that expects a deposit (BPR02 > 0, not NON) paid on or before
      the as-of date with no BAI2 deposit of its trace number and amount; dated by its payment
      date. reassociation_status tells whether the bank file of that day has landed yet.
    - deposit_without_remit: a BAI2 credit no 835 explains; dated by its as-of date.

    The fifth class of DESIGN §4, journal lines missing or different in the ERP readback, is found
    after dbt by the writeback assets (writeback.reconciliation_breaks, written by
    erp_ledger_readback): a dbt model reading it would depend on its own consumer, a cycle.
-#}
with as_of as (

    select as_of_date from {{ ref('kpi_as_of_date') }}

)

, remittance_claims as (

    select * from {{ ref('int_remittance_claims_classified') }}

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}

)

, payee_facilities as (

    -- per billing NPI, the service facilities (2310C NPI) of the 837s sent under it
    select
        transmissions.billing_npi
        , count(distinct transmissions.facility_npi) as facility_count
        , max(facilities.facility_code) as facility_code
    from {{ ref('int_claim_transmissions_acknowledged') }} as transmissions
    left join {{ ref('int_facilities_versioned') }} as facilities
        on facilities.npi = transmissions.facility_npi
        and {{ valid_at('facilities', 'transmissions.service_date_from') }}
    where transmissions.billing_npi is not null
    group by transmissions.billing_npi

)

, remits_without_submission as (

    select
        'remit_without_submission' as break_type
        , remittance_claims.claim_identity_key as break_key
        , max(remittance_claims.adjudication_date) as break_date
        , max(coalesce(
            encounters.facility_code
            , case when payee_facilities.facility_count = 1 then payee_facilities.facility_code end
        )) as facility_code
        , max(payments.legal_entity_code) as legal_entity_code
        , max(remittance_claims.payer_id) as payer_id
        , sum(remittance_claims.paid_amount) as amount
        , cast(null as varchar) as reassociation_status
    from remittance_claims
    left join payments
        on payments.remittance_key = remittance_claims.remittance_key
    left join {{ ref('int_encounters_enriched') }} as encounters
        on encounters.visit_key = remittance_claims.claim_key
    left join payee_facilities
        on payee_facilities.billing_npi = payments.payee_npi
    cross join as_of
    where not remittance_claims.has_submission
        and remittance_claims.adjudication_date <= as_of.as_of_date
    group by remittance_claims.claim_identity_key

)

, claims_without_adjudication as (

    select
        'claim_without_adjudication' as break_type
        , claims.claim_identity_key as break_key
        , claims.adjudication_due_date as break_date
        , claims.facility_code
        , claims.legal_entity_code
        , claims.payer_id
        , claims.charge_amount as amount
        , cast(null as varchar) as reassociation_status
    from {{ ref('fct_claims') }} as claims
    cross join as_of
    where {{ is_adjudication_overdue('claims', 'as_of.as_of_date') }}

)

, remits_without_deposit as (

    select
        'remit_without_deposit' as break_type
        , payments.remittance_key as break_key
        , payments.payment_date as break_date
        , cast(null as varchar) as facility_code
        , payments.legal_entity_code
        , payments.payer_id
        , payments.payment_amount as amount
        , payments.reassociation_status
    from payments
    cross join as_of
    where payments.expects_deposit
        and payments.deposit_key is null
        and payments.payment_date <= as_of.as_of_date

)

, deposits_without_remit as (

    select
        'deposit_without_remit' as break_type
        , deposits.deposit_key as break_key
        , deposits.as_of_date as break_date
        , cast(null as varchar) as facility_code
        , deposits.legal_entity_code
        , deposits.payer_id
        , deposits.amount
        , deposits.reassociation_status
    from {{ ref('int_bank_deposits_reassociated') }} as deposits
    cross join as_of
    where deposits.reassociation_status = 'unmatched'
        and deposits.as_of_date <= as_of.as_of_date

)

, breaks as (

    select * from remits_without_submission
    union all
    select * from claims_without_adjudication
    union all
    select * from remits_without_deposit
    union all
    select * from deposits_without_remit

)

select
    cast({{ surrogate_key(['breaks.break_type', 'breaks.break_key']) }} as varchar) as break_id
    , cast(breaks.break_type as varchar) as break_type
    , cast(breaks.break_key as varchar) as break_key
    , cast(breaks.break_date as date) as break_date
    , cast(breaks.facility_code as varchar) as facility_code
    , cast(breaks.legal_entity_code as varchar) as legal_entity_code
    , cast(breaks.payer_id as varchar) as payer_id
    , cast(breaks.amount as decimal(18, 2)) as amount
    , cast(breaks.reassociation_status as varchar) as reassociation_status
    , cast(as_of.as_of_date as date) as as_of_date
    , cast({{ days_between('breaks.break_date', 'as_of.as_of_date') }} as integer) as days_open
from breaks
cross join as_of
