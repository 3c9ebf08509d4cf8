{{ config(unique_key='claim_key') }}
{#-
    The canonical claim (DESIGN §2 / §4, decision 0018): one row per (CLM01, payer, payer
    responsibility), from every transmission, acknowledgment, remittance and patient-accounting
    event that carries it; claims known only from a remittance are kept (has_submission false).

    - submission: the first transmission the 999 did not reject (pending counts); its BHT04 is
      the submission date. Later transmissions are resubmissions.
    - 277CA outcome of a transmission: its latest response; first-pass accepted = the
      submission was accepted (A2) and the claim was never sent again.
    - voided: a void (frequency 8) was accepted; the claim's final frequency is that of its
      last accepted transmission. A replacement / void names the claim it replaces by REF*F8 =
      that claim's payer claim number (277CA REF*1K or 835 CLP07).
    - current transmission: the last one neither the 999 nor the 277CA rejected (originals and
      replacements); it gives the charge, the lines and the expected reimbursement.
    - master data: facility (by service facility NPI), payer and rendering provider as their
      versions valid on the date of service.
    - adjudications: first adjudication (event order) and whether it was denied; first payment
      = earliest adjudication with CLP04 > 0, dated BPR16; paid = Σ CLP04 incl. reversals.

    Incremental: every claim of the claim keys (primary, secondary, ...) touched since the last
    build (int_claim_activity: its events, its batches' acknowledgments, its visit's
    appointments, the claim it replaces), priced by a changed contract, or whose facility,
    payer or provider version a master-data change reaches.
-#}
{%- set since = incremental_since() %}
{% call touched_claims_ctes(since, contracts_priced_in=ref('int_claim_lines_priced')) %}
    select claims.claim_key
    from {{ this }} as claims
    where {{ claim_facility_or_payer_changed('claims') }}
        or {{ master_data_changed('providers', 'provider_npi', 'claims.rendering_npi', 'claims.service_date') }}
        -- the appeal deadline of a denial (payer type on the denial date)
        or (claims.has_denial and {{ master_data_changed('payers', 'payer_id', 'claims.payer_id', 'claims.first_denial_date') }})
{%- endcall %}

, transmissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    {{ where_touched('claim_key', since) }}

)

, status_events as (

    select * from {{ ref('int_claim_status_events_sequenced') }}
    {{ where_touched('claim_key', since) }}

)

, priced_lines as (

    select * from {{ ref('int_claim_lines_priced') }}
    {{ where_touched('claim_key', since) }}

)

, remittances as (

    select * from {{ ref('int_remittance_claims_classified') }}
    {{ where_touched('claim_key', since) }}

)

, denials as (

    select * from {{ ref('int_denials_tracked') }}
    {{ where_touched('claim_key', since) }}

)

, accounting_events as (

    select * from {{ ref('int_patient_accounting_events_unioned') }}
    {{ where_touched('claim_key', since) }}

)

, encounters as (

    select * from {{ ref('int_encounters_enriched') }}
    {{ where_touched('visit_key', since) }}

)

, facilities as (

    select * from {{ ref('int_facilities_versioned') }}

)

, payers as (

    select * from {{ ref('int_payers_versioned') }}

)

, providers as (

    select * from {{ ref('int_providers_versioned') }}

)

-- transmissions with their 277CA outcome -----------------------------------------------------

, transmission_outcomes as (

    select
        transmission_key
        , response_outcome
        , response_category_code
        , response_date
    from status_events
    where is_latest_response_of_transmission
        and is_response_outcome

)

, outcomes as (

    select
        transmissions.*
        , transmission_outcomes.response_outcome as acknowledgment_outcome
        , transmission_outcomes.response_category_code as acknowledgment_category_code
        , transmission_outcomes.response_date as acknowledgment_date
    from transmissions
    left join transmission_outcomes
        on transmission_outcomes.transmission_key = transmissions.transmission_key

)

, submissions as (

    select
        outcomes.*
        , row_number() over (
            partition by claim_identity_key order by transmission_sequence
        ) as submission_rank
    from outcomes
    where not is_batch_rejected

)

, current_candidates as (

    select
        outcomes.*
        , row_number() over (
            partition by claim_identity_key
            order by
                case
                    when not is_batch_rejected
                        and coalesce(acknowledgment_outcome, '') <> 'rejected'
                        and frequency_code <> '8' then 0
                    when frequency_code <> '8' then 1
                    else 2
                end
                , transmission_sequence desc
        ) as current_rank
    from outcomes

)

, accepted_frequencies as (

    select
        outcomes.claim_identity_key
        , outcomes.frequency_code
        , row_number() over (
            partition by claim_identity_key order by transmission_sequence desc
        ) as accepted_rank
    from outcomes
    where acknowledgment_outcome = 'accepted'

)

, transmission_history as (

    select
        outcomes.claim_identity_key
        , min(outcomes.submission_date) as first_transmission_date
        , count(*) as transmission_count
        , sum(case when outcomes.is_batch_rejected then 1 else 0 end) as batch_rejection_count
        , sum(case when outcomes.acknowledgment_outcome = 'rejected' then 1 else 0 end)
            as acknowledgment_rejection_count
        , sum(case when outcomes.frequency_code = '7' then 1 else 0 end) as replacement_count
        , max(
            case when outcomes.frequency_code = '8' and outcomes.acknowledgment_outcome = 'accepted'
                then 1 else 0 end
        ) = 1 as is_voided
        , min(
            case when outcomes.frequency_code = '8' and outcomes.acknowledgment_outcome = 'accepted'
                then outcomes.acknowledgment_date end
        ) as void_accepted_date
        , sum(
            case when outcomes.transmission_sequence > submissions.transmission_sequence then 1 else 0 end
        ) as resubmission_count
    from outcomes
    left join submissions
        on submissions.claim_identity_key = outcomes.claim_identity_key
        and submissions.submission_rank = 1
    group by outcomes.claim_identity_key

)

-- payer claim numbers and replacement links ---------------------------------------------------

{#- the claims' own numbers, and those of the claims their replacements and voids name -#}
{%- set named_by_touched_claims %}
    {%- if since %}
        and (
            claim_key in (select claim_key from touched_claims)
            or payer_claim_key in (select original_payer_claim_key from transmissions)
        )
    {%- endif %}
{%- endset %}

, payer_claim_numbers as (

    select
        claim_identity_key
        , payer_claim_key
        , response_date as known_date
        , 1 as source_priority
    from {{ ref('int_claim_status_events_sequenced') }}
    where acknowledgment_outcome = 'accepted'
        and payer_claim_key is not null
        {{- named_by_touched_claims }}

    union all

    select
        claim_identity_key
        , payer_claim_key
        , adjudication_date as known_date
        , 2 as source_priority
    from {{ ref('int_remittance_claims_classified') }}
    where payer_claim_key is not null
        {{- named_by_touched_claims }}

)

, latest_payer_claim_numbers as (

    select
        claim_identity_key
        , payer_claim_key
        , row_number() over (
            partition by claim_identity_key
            order by source_priority, known_date desc nulls last, payer_claim_key
        ) as number_rank
    from payer_claim_numbers

)

, replaced_claims as (

    select
        outcomes.claim_identity_key
        , min(payer_claim_numbers.claim_identity_key) as replaced_claim_identity_key
    from outcomes
    inner join payer_claim_numbers
        on payer_claim_numbers.payer_claim_key = outcomes.original_payer_claim_key
    where outcomes.frequency_code in ('7', '8')
    group by outcomes.claim_identity_key

)

-- expected reimbursement of the current transmission ------------------------------------------

, current_transmissions as (

    select * from current_candidates
    where current_rank = 1

)

, current_pricing as (

    select
        current_transmissions.claim_identity_key
        , count(*) as line_count
        , count(priced_lines.contract_rate) as priced_line_count
        , sum(priced_lines.contract_rate * priced_lines.units) as expected_reimbursement
    from current_transmissions
    inner join priced_lines
        on priced_lines.transmission_key = current_transmissions.transmission_key
    group by current_transmissions.claim_identity_key

)

-- adjudications --------------------------------------------------------------------------------

, sequenced_adjudications as (

    select
        remittances.*
        , {{ adjudication_rank() }} as adjudication_rank
    from remittances
    where is_claim_adjudication

)

, remittance_totals as (

    select
        claim_identity_key
        , max(case when has_submission then 1 else 0 end) = 1 as has_submission
        , count(*) as remittance_count
        , sum(case when is_claim_adjudication then 1 else 0 end) as adjudication_count
        , sum(case when is_reversal then 1 else 0 end) as reversal_count
        , min(case when is_claim_adjudication and paid_amount > 0 then remittance_date end)
            as first_payment_date
        , max(case when is_claim_adjudication or is_reversal then adjudication_date end)
            as last_adjudication_date
        , sum(paid_amount) as paid_amount
        , sum(coalesce(patient_responsibility_amount, 0)) as patient_responsibility_amount
        , sum(contractual_adjustment_amount) as contractual_adjustment_amount
        , sum(denial_adjustment_amount) as denial_adjustment_amount
        , max(case when paid_amount > 0 then 1 else 0 end) = 1 as has_payment
    from remittances
    group by claim_identity_key

)

-- patient accounting ---------------------------------------------------------------------------

, accounting_totals as (

    select
        claim_identity_key
        , sum(case when event_type = 'patient_payment' then amount else 0 end) as patient_paid_amount
        , sum(case when event_type = 'refund' then amount else 0 end) as refund_amount
        , sum(case when event_type = 'write_off' then amount else 0 end) as write_off_amount
    from accounting_events
    group by claim_identity_key

)

-- every claim, submitted or only remitted ------------------------------------------------------

, identities as (

    select claim_identity_key, claim_key, payer_id, payer_responsibility from transmissions
    union
    select claim_identity_key, claim_key, payer_id, payer_responsibility from remittances

)

, primary_claims as (

    select
        claim_key
        , min(claim_identity_key) as primary_claim_identity_key
        , count(*) as primary_count
    from identities
    where payer_responsibility = 'P'
    group by claim_key

)

, secondary_claims as (

    select
        identities.claim_key
        , min(identities.claim_identity_key) as secondary_claim_identity_key
        , min(identities.payer_id) as secondary_payer_id
        , cast(sum(coalesce(remittance_totals.paid_amount, 0)) as decimal(18, 2)) as secondary_paid_amount
    from identities
    left join remittance_totals
        on remittance_totals.claim_identity_key = identities.claim_identity_key
    where identities.payer_responsibility = 'S'
    group by identities.claim_key

)

, joined as (

    select
        identities.claim_identity_key
        , identities.claim_key
        , identities.payer_id
        , identities.payer_responsibility
        , identities.payer_responsibility = 'P' as is_primary
        , case when identities.payer_responsibility <> 'P' and primary_claims.primary_count = 1
            then primary_claims.primary_claim_identity_key end as primary_claim_identity_key
        , case when identities.payer_responsibility = 'P'
            then secondary_claims.secondary_claim_identity_key end as secondary_claim_identity_key
        , case when identities.payer_responsibility = 'P'
            then secondary_claims.secondary_payer_id end as secondary_payer_id
        , cast(
            case when identities.payer_responsibility = 'P' then secondary_claims.secondary_paid_amount end
            as decimal(18, 2)
        ) as secondary_paid_amount
        , current_transmissions.payer_name as submitted_payer_name
        -- submission and acknowledgments
        , coalesce(transmission_history.transmission_count, 0) as transmission_count
        , transmission_history.first_transmission_date
        , coalesce(transmission_history.batch_rejection_count, 0) as batch_rejection_count
        , submissions.transmission_key as submission_transmission_key
        , submissions.submission_date
        , submissions.frequency_code as submission_frequency_code
        , coalesce(transmission_history.resubmission_count, 0) as resubmission_count
        , submissions.acknowledgment_category_code as first_acknowledgment_category
        , submissions.acknowledgment_outcome as first_acknowledgment_outcome
        , submissions.acknowledgment_date as first_acknowledgment_date
        , coalesce(
            submissions.acknowledgment_outcome = 'accepted'
            and transmission_history.resubmission_count = 0
            , false
        ) as is_first_pass_accepted
        , coalesce(transmission_history.acknowledgment_rejection_count, 0) as acknowledgment_rejection_count
        , coalesce(transmission_history.replacement_count, 0) as replacement_count
        , coalesce(transmission_history.is_voided, false) as is_voided
        , transmission_history.void_accepted_date
        , accepted_frequencies.frequency_code as final_frequency_code
        , latest_payer_claim_numbers.payer_claim_key
        , replaced_claims.replaced_claim_identity_key
        -- the claim as it stands
        , current_transmissions.transmission_key as current_transmission_key
        , current_transmissions.frequency_code as current_frequency_code
        , coalesce(current_transmissions.service_date_from, remittance_payers.service_date_from) as service_date
        , coalesce(current_transmissions.service_date_to, remittance_payers.service_date_to) as service_date_to
        , current_transmissions.place_of_service
        , current_transmissions.facility_npi
        , current_transmissions.rendering_npi
        , coalesce(current_transmissions.charge_amount, remittance_payers.charge_amount) as charge_amount
        , submissions.charge_amount as submitted_charge_amount
        , coalesce(current_pricing.line_count, 0) as line_count
        , coalesce(current_pricing.priced_line_count, 0) as priced_line_count
        , cast(current_pricing.expected_reimbursement as decimal(18, 2)) as expected_reimbursement
        -- adjudications
        , coalesce(remittance_totals.has_submission, submissions.transmission_key is not null) as has_submission
        , coalesce(remittance_totals.remittance_count, 0) as remittance_count
        , coalesce(remittance_totals.adjudication_count, 0) as adjudication_count
        , coalesce(remittance_totals.reversal_count, 0) as reversal_count
        , first_adjudications.remittance_claim_key as first_adjudication_key
        , first_adjudications.adjudication_date as first_adjudication_date
        , first_adjudications.is_denied as is_first_adjudication_denied
        , remittance_totals.first_payment_date
        , remittance_totals.last_adjudication_date
        , cast(coalesce(remittance_totals.paid_amount, 0) as decimal(18, 2)) as paid_amount
        , cast(coalesce(remittance_totals.patient_responsibility_amount, 0) as decimal(18, 2))
            as patient_responsibility_amount
        , cast(coalesce(remittance_totals.contractual_adjustment_amount, 0) as decimal(18, 2))
            as contractual_adjustment_amount
        , coalesce(remittance_totals.has_payment, false) as has_payment
        -- denials
        , denials.claim_identity_key is not null as has_denial
        , denials.first_denial_date
        , denials.first_denial_carc
        , denials.denial_category
        , denials.appeal_filed_date
        , denials.appeal_deadline_date
        , denials.appeal_outcome
        , denials.resolution_type as denial_resolution
        , denials.resolution_date as denial_resolution_date
        , denials.denial_write_off_date
        , denials.denial_write_off_amount
        -- patient accounting
        , cast(coalesce(accounting_totals.patient_paid_amount, 0) as decimal(18, 2)) as patient_paid_amount
        , cast(coalesce(accounting_totals.refund_amount, 0) as decimal(18, 2)) as refund_amount
        , cast(coalesce(accounting_totals.write_off_amount, 0) as decimal(18, 2)) as write_off_amount
        -- the visit
        , encounters.booked_at
        , encounters.booked_date
    from identities
    left join transmission_history
        on transmission_history.claim_identity_key = identities.claim_identity_key
    left join submissions
        on submissions.claim_identity_key = identities.claim_identity_key
        and submissions.submission_rank = 1
    left join current_transmissions
        on current_transmissions.claim_identity_key = identities.claim_identity_key
    left join current_pricing
        on current_pricing.claim_identity_key = identities.claim_identity_key
    left join accepted_frequencies
        on accepted_frequencies.claim_identity_key = identities.claim_identity_key
        and accepted_frequencies.accepted_rank = 1
    left join latest_payer_claim_numbers
        on latest_payer_claim_numbers.claim_identity_key = identities.claim_identity_key
        and latest_payer_claim_numbers.number_rank = 1
    left join replaced_claims
        on replaced_claims.claim_identity_key = identities.claim_identity_key
    left join remittance_totals
        on remittance_totals.claim_identity_key = identities.claim_identity_key
    left join sequenced_adjudications as first_adjudications
        on first_adjudications.claim_identity_key = identities.claim_identity_key
        and first_adjudications.adjudication_rank = 1
    left join (
        -- a claim known only from its remittances: its first CLP stands for the claim
        select * from remittances where remittance_sequence = 1
    ) as remittance_payers
        on remittance_payers.claim_identity_key = identities.claim_identity_key
    left join denials
        on denials.claim_identity_key = identities.claim_identity_key
    left join accounting_totals
        on accounting_totals.claim_identity_key = identities.claim_identity_key
    left join primary_claims
        on primary_claims.claim_key = identities.claim_key
    left join secondary_claims
        on secondary_claims.claim_key = identities.claim_key
    left join encounters
        on encounters.visit_key = identities.claim_key

)

select
    joined.*
    , facilities.facility_code
    , facilities.legal_entity_code
    , facilities.cost_center_code
    , coalesce(payers.payer_name, joined.submitted_payer_name) as payer_name
    , payers.payer_type
    , payers.party_code as payer_party_code
    , providers.provider_name as rendering_provider_name
    , providers.specialty as rendering_provider_specialty
    , {{ known_at('facilities', 'joined.service_date') }} as is_facility_known_at_service
    , {{ known_at('providers', 'joined.service_date') }} as is_provider_known_at_service
    -- the cast outside the case: PostgreSQL's case drops the numeric scale of its branches
    , cast(
        case when joined.has_payment
            then joined.expected_reimbursement - joined.paid_amount - joined.patient_responsibility_amount
        end as decimal(18, 2)
    ) as underpayment_amount
from joined
left join facilities
    on facilities.npi = joined.facility_npi
    and {{ valid_at('facilities', 'joined.service_date') }}
left join payers
    on payers.payer_id = joined.payer_id
    and {{ valid_at('payers', 'joined.service_date') }}
left join providers
    on providers.provider_npi = joined.rendering_npi
    and {{ valid_at('providers', 'joined.service_date') }}
