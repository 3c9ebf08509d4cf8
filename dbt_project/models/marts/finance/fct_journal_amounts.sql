{#-
    The amounts the ledger posts (DESIGN §5), one row per business event × amount type (× CAS
    group and CARC category for 835 adjustments), before the posting rules turn them into lines
    (fct_journal_feed). Each row names two legal entities: the owner, whose A/R and revenue the
    event touches (the claim's facility's entity), and the cash entity, whose bank account the
    money reached (the 835 payee's entity); they differ when a parent's billing office is paid
    for a subsidiary's claims, and the feed then adds due-to / due-from lines.

    - service_rendered: primary claims with an original (frequency 1) submission, at the date of
      service: gross charge, estimated contractual allowance (charge - expected reimbursement);
      claim_voided: the same amounts negated on the day a void (frequency 8) is sent. A
      replacement (7) of the simulated payers never changes the charge, and the claim keeps the
      original's pricing (int_claims_priced), so it posts no delta.
    - remittance: 835 CLPs of those claims for the same payer processed as primary (CLP02 1, 19)
      or reversed (22), not denied (denials post nothing until resolved): paid CLP04, CAS amounts
      per group and CARC category, the true-up of the estimate (the estimate E released is the
      claim's posted estimate, booked back by a reversal). A CLP no accepted 837 explains, or for
      a claim that is not one of ours, posts its CLP04 as unapplied cash of the payee.
    - secondary_remittance: CLPs processed as secondary (CLP02 2, 20, or 22 of a secondary claim)
      of our claims: CLP04 and CAS per group and category, against the patient balance the
      primary left.
    - provider_adjustment: 835 PLB amounts by class (positive reduces the payment), owned by the
      claim PLB03-2 names (a claim key, or a payer claim number), else by the payee.
    - deposit: BAI2 credits matched to their 835 (trace number and amount).
    - patient_payment, patient_refund (to the patient or the payer), write_off (by type: denial,
      timely filing, bad debt, charity, small balance, administrative): the patient-accounting
      extract's events on the claim's balance, in the claim's facility's entity.
    Lines an entity rather than a facility owns (unapplied cash, PLBs naming no claim of ours,
    deposits) carry facility_code '*'.
-#}
with claims as (

    select * from {{ ref('int_claims_priced') }}
    where has_original
        and service_date is not null

)

, voids as (

    -- a void (frequency 8) reverses the claim's service_rendered amounts on the day it is sent
    select
        voids.claim_key
        , voids.payer_id
        , min(voids.submission_date) as void_date
    from {{ ref('int_claim_transmissions_acknowledged') }} as voids
    where voids.payer_responsibility = 'P'
        and voids.frequency_code = '8'
    group by voids.claim_key, voids.payer_id

)

, claim_owners as (

    -- a claim key's facility and entity (every payer's claim of one visit has the same facility)
    select
        claim_key
        , min(legal_entity_code) as legal_entity_code
        , min(facility_code) as facility_code
        , min(cost_center_code) as cost_center_code
    from claims
    group by claim_key

)

, payments as (

    select * from {{ ref('int_remittance_payments_reassociated') }}

)

, remittance_claims as (

    select
        remittance_claims.*
        -- a payee the entity master cannot name: the cash is taken to be the owner's
        , coalesce(payments.legal_entity_code, claim_owners.legal_entity_code) as cash_entity_code
        , claims.claim_key is not null as is_primary_claim_of_ours
        , claims.payer_party_code as claim_payer_party_code
        , claim_owners.claim_key is not null as is_claim_of_ours
    from {{ ref('int_remittance_claims_classified') }} as remittance_claims
    inner join payments
        on payments.remittance_key = remittance_claims.remittance_key
    left join claims
        on claims.claim_key = remittance_claims.claim_key
        and claims.payer_id = remittance_claims.payer_id
        and remittance_claims.payer_responsibility = 'P'
    left join claim_owners
        on claim_owners.claim_key = remittance_claims.claim_key
    where remittance_claims.remittance_date is not null

)

, posted_remittances as (

    -- what each CLP posts as: the payer's primary adjudication, a secondary one, or unapplied cash
    select
        remittance_claims.*
        , case
            when not remittance_claims.has_submission or not remittance_claims.is_claim_of_ours
                then 'unapplied'
            when remittance_claims.is_denied then 'denied'
            when remittance_claims.is_primary_claim_of_ours
                and remittance_claims.status_code in ('1', '19', '22') then 'remittance'
            when remittance_claims.payer_responsibility <> 'P'
                and remittance_claims.status_code in ('2', '20', '22') then 'secondary_remittance'
            else 'unapplied'
        end as posting_kind
        -- the primary claim's payer version; else the payer valid at payment
        , coalesce(remittance_claims.claim_payer_party_code, payers.party_code) as payer_party_code
    from remittance_claims
    left join {{ ref('int_payers_versioned') }} as payers
        on payers.payer_id = remittance_claims.payer_id
        and {{ valid_at('payers', 'remittance_claims.remittance_date') }}

)

, claim_postings as (

    -- a claim's service_rendered amounts, and the same negated on the day a void is sent
    select 'service_rendered' as event_type, claims.service_date as journal_date, 1 as amount_sign
        , claims.*
    from claims

    union all

    select 'claim_voided', coalesce(voids.void_date, claims.service_date), -1
        , claims.*
    from claims
    inner join voids
        on voids.claim_key = claims.claim_key
        and voids.payer_id = claims.payer_id

)

, adjustment_totals as (

    select
        adjustments.remittance_claim_key
        , adjustments.group_code
        , adjustments.adjustment_category
        , sum(adjustments.amount) as amount
    from {{ ref('int_remittance_adjustments_categorized') }} as adjustments
    group by
        adjustments.remittance_claim_key
        , adjustments.group_code
        , adjustments.adjustment_category

)

, provider_adjustments as (

    select * from {{ ref('int_provider_adjustments_classified') }}

)

, payer_claim_numbers as (

    -- PLB03-2 of an overpayment recovery names the payer's claim number (CLP07)
    select payer_id, payer_claim_key, min(claim_key) as claim_key
    from remittance_claims
    where payer_claim_key is not null
    group by payer_id, payer_claim_key

)

, event_amounts as (

    select
        postings.event_type
        , 'gross_charge' as amount_type
        , cast(null as varchar) as carc_group
        , cast(null as varchar) as carc_category
        , postings.claim_key as source_event_key
        , postings.payer_id
        , postings.journal_date
        , postings.legal_entity_code
        , postings.legal_entity_code as cash_entity_code
        , postings.facility_code
        , postings.cost_center_code
        , postings.payer_party_code
        , postings.amount_sign * postings.charge_amount as amount
    from claim_postings as postings

    union all

    select
        postings.event_type
        , 'estimated_contractual_allowance'
        , null
        , null
        , postings.claim_key
        , postings.payer_id
        , postings.journal_date
        , postings.legal_entity_code
        , postings.legal_entity_code
        , postings.facility_code
        , postings.cost_center_code
        , postings.payer_party_code
        , postings.amount_sign * (postings.charge_amount - postings.expected_reimbursement)
    from claim_postings as postings

    union all

    -- CLP04 of every CLP that posts: primary, secondary or unapplied
    select
        case when posted.posting_kind = 'unapplied' then 'remittance' else posted.posting_kind end
        , case when posted.posting_kind = 'unapplied' then 'unapplied_cash' else 'paid' end
        , null
        , null
        , posted.remittance_claim_key
        , posted.payer_id
        , posted.remittance_date
        , case when posted.posting_kind = 'unapplied' then posted.cash_entity_code else owners.legal_entity_code end
        , posted.cash_entity_code
        , case when posted.posting_kind = 'unapplied' then '*' else owners.facility_code end
        , owners.cost_center_code
        , posted.payer_party_code
        , posted.paid_amount
    from posted_remittances as posted
    left join claim_owners as owners
        on owners.claim_key = posted.claim_key
        and posted.posting_kind <> 'unapplied'
    where posted.posting_kind <> 'denied'

    union all

    -- CAS amounts by group and CARC category (the rules say which post)
    select
        posted.posting_kind
        , 'adjustment'
        , adjustment_totals.group_code
        , adjustment_totals.adjustment_category
        , posted.remittance_claim_key
        , posted.payer_id
        , posted.remittance_date
        , owners.legal_entity_code
        , posted.cash_entity_code
        , owners.facility_code
        , owners.cost_center_code
        , posted.payer_party_code
        , adjustment_totals.amount
    from posted_remittances as posted
    inner join adjustment_totals
        on adjustment_totals.remittance_claim_key = posted.remittance_claim_key
    inner join claim_owners as owners
        on owners.claim_key = posted.claim_key
    where posted.posting_kind in ('remittance', 'secondary_remittance')

    union all

    -- contractual adjustments - the posted estimate (a reversal books the estimate back)
    select
        'remittance'
        , 'contractual_true_up'
        , null
        , null
        , posted.remittance_claim_key
        , posted.payer_id
        , posted.remittance_date
        , claims.legal_entity_code
        , posted.cash_entity_code
        , claims.facility_code
        , claims.cost_center_code
        , claims.payer_party_code
        , posted.contractual_adjustment_amount
            - coalesce(claims.charge_amount - claims.expected_reimbursement, 0)
            * case when posted.is_reversal then -1 else 1 end
    from posted_remittances as posted
    inner join claims
        on claims.claim_key = posted.claim_key
        and claims.payer_id = posted.payer_id
    where posted.posting_kind = 'remittance'

    union all

    select
        'provider_adjustment'
        , provider_adjustments.adjustment_class
        , null
        , null
        , provider_adjustments.provider_adjustment_key
        , provider_adjustments.payer_id
        , coalesce(provider_adjustments.payment_date, provider_adjustments.production_date)
        , coalesce(owners.legal_entity_code, provider_adjustments.legal_entity_code)
        , coalesce(provider_adjustments.legal_entity_code, owners.legal_entity_code)
        , coalesce(owners.facility_code, '*')
        , owners.cost_center_code
        , payers.party_code
        , provider_adjustments.amount
    from provider_adjustments
    left join payer_claim_numbers
        on payer_claim_numbers.payer_id = provider_adjustments.payer_id
        and payer_claim_numbers.payer_claim_key = provider_adjustments.reference_key
    left join claim_owners as owners
        on owners.claim_key = coalesce(payer_claim_numbers.claim_key, provider_adjustments.reference_key)
    left join {{ ref('int_payers_versioned') }} as payers
        on payers.payer_id = provider_adjustments.payer_id
        and {{ valid_at('payers', 'coalesce(provider_adjustments.payment_date, provider_adjustments.production_date)') }}

    union all

    -- the patient-accounting extract: payments, refunds and write-offs on the claim's balance
    select
        case patient_accounting.event_type
            when 'refund' then 'patient_refund' else patient_accounting.event_type
        end
        , case when patient_accounting.event_type = 'patient_payment' then 'payment'
            else patient_accounting.event_subtype end
        , null
        , null
        , patient_accounting.event_key
        , patient_accounting.payer_id
        , patient_accounting.posted_date
        , coalesce(owners.legal_entity_code, facilities.legal_entity_code)
        , coalesce(owners.legal_entity_code, facilities.legal_entity_code)
        , patient_accounting.facility_code
        , coalesce(owners.cost_center_code, facilities.cost_center_code)
        , payers.party_code
        , patient_accounting.amount
    from {{ ref('int_patient_accounting_events_unioned') }} as patient_accounting
    left join claim_owners as owners
        on owners.claim_key = patient_accounting.claim_key
        and owners.facility_code = patient_accounting.facility_code
    left join {{ ref('int_facilities_versioned') }} as facilities
        on facilities.facility_code = patient_accounting.facility_code
        and {{ valid_at('facilities', 'patient_accounting.posted_date') }}
    left join {{ ref('int_payers_versioned') }} as payers
        on payers.payer_id = patient_accounting.payer_id
        and {{ valid_at('payers', 'patient_accounting.posted_date') }}
    where patient_accounting.event_type in ('patient_payment', 'refund', 'write_off')

    union all

    select
        'deposit'
        , 'deposit'
        , null
        , null
        , deposits.deposit_key
        , deposits.payer_id
        , deposits.as_of_date
        , deposits.legal_entity_code
        , deposits.legal_entity_code
        , '*'
        , null
        , null
        , deposits.amount
    from {{ ref('int_bank_deposits_reassociated') }} as deposits
    where deposits.reassociation_status = 'matched'

)

, final as (

    select
        cast(event_type as varchar) as event_type
        , cast(amount_type as varchar) as amount_type
        , cast(carc_group as varchar) as carc_group
        , cast(carc_category as varchar) as carc_category
        , cast(source_event_key as varchar) as source_event_key
        , cast(payer_id as varchar) as payer_id
        , cast(journal_date as date) as journal_date
        , cast(legal_entity_code as varchar) as legal_entity_code
        , cast(cash_entity_code as varchar) as cash_entity_code
        , cast(facility_code as varchar) as facility_code
        , cast(cost_center_code as varchar) as cost_center_code
        , cast(payer_party_code as varchar) as payer_party_code
        , cast(amount as decimal(18, 2)) as amount
    from event_amounts
    where amount is not null
        and amount <> 0

)

select * from final
