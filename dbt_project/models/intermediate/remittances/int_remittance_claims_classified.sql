{{ config(unique_key='remittance_claim_key') }}
{#-
    One row per 835 CLP: the claim it adjudicates, its CAS adjustments summed by CARC category
    and the DESIGN §4 event flags (decision 0018).

    - claim: (CLP01, the 835's payer, payer responsibility). The responsibility is the one the
      claim was submitted to that payer with; without a submission, CLP02's sequence (1 / 19
      primary, 2 / 20 secondary, 3 / 21 tertiary), else primary.
    - adjudication of the claim: a CLP02 the seed clp02_claim_statuses marks as an adjudication
      (processed or denied) for the claim's sequence; CLP02 1 / 4 / 19 adjudicate the primary
      claim. Dated by DTM*405, else BPR16; CLP02 22 reverses an earlier payment.
    - denied: CLP02 4, or CLP04 = 0 with at least one denial-category adjustment (claim or line
      level). A zero payment that is all deductible or contractual is not a denial.
    - sequence: per claim in event order (adjudication date; for equal dates a reversal before
      its correction), whatever order the 835s arrived in.

    Incremental: every CLP of the claim keys touched since the last build (int_claim_activity:
    a new 835, or a transmission that decides the claim's payer responsibility).
-#}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, remittance_claims as (

    select * from {{ ref('stg_x12_835__remittance_claims') }}
    {{ where_touched('claim_key', since) }}

)

, adjustments as (

    select * from {{ ref('int_remittance_adjustments_categorized') }}
    {{ where_touched('claim_key', since) }}

)

, clp02_statuses as (

    select * from {{ ref('clp02_claim_statuses') }}

)

, transmissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    {{ where_touched('claim_key', since) }}

)

, submitted_responsibilities as (

    select
        claim_key
        , payer_id
        , min(payer_responsibility) as payer_responsibility
        , count(distinct payer_responsibility) as responsibility_count
    from transmissions
    group by claim_key, payer_id

)

, accepted_claims as (

    select distinct claim_key, payer_id, payer_responsibility
    from transmissions
    where not is_batch_rejected

)

, adjustment_totals as (

    select
        remittance_claim_key
        , sum(amount) as adjustment_amount
        , sum(case when group_code = 'CO' and adjustment_category = 'contractual' then amount else 0 end)
            as contractual_adjustment_amount
        , sum(case when group_code = 'PR' then amount else 0 end)
            as patient_responsibility_adjustment_amount
        , sum(case when adjustment_category = 'denial' then amount else 0 end)
            as denial_adjustment_amount
        , sum(case when adjustment_category = 'denial' then 1 else 0 end)
            as denial_adjustment_count
        , sum(case when adjustment_category = 'denial' and adjustment_level = 'line' then 1 else 0 end)
            as line_denial_adjustment_count
    from adjustments
    group by remittance_claim_key

)

, resolved as (

    select
        remittance_claims.*
        , clp02_statuses.description as status_description
        , clp02_statuses.payer_sequence
        , coalesce(clp02_statuses.is_adjudication, false) as is_adjudication_status
        , coalesce(clp02_statuses.is_denial, false) as is_denial_status
        , coalesce(clp02_statuses.is_reversal, false) as is_reversal
        , coalesce(clp02_statuses.is_forwarded, false) as is_forwarded
        , coalesce(
            case when submitted_responsibilities.responsibility_count = 1
                then submitted_responsibilities.payer_responsibility end
            , clp02_statuses.payer_sequence
            , 'P'
        ) as payer_responsibility
        , coalesce(remittance_claims.production_date, remittance_claims.payment_date) as adjudication_date
        , coalesce(remittance_claims.payment_date, remittance_claims.production_date) as remittance_date
    from remittance_claims
    left join clp02_statuses
        on clp02_statuses.status_code = remittance_claims.status_code
        and {{ code_in_effect('clp02_statuses', 'coalesce(remittance_claims.production_date, remittance_claims.payment_date)') }}
    left join submitted_responsibilities
        on submitted_responsibilities.claim_key = remittance_claims.claim_key
        and submitted_responsibilities.payer_id is not distinct from remittance_claims.payer_id

)

, classified as (

    select
        resolved.*
        , {{ surrogate_key(['resolved.claim_key', 'resolved.payer_id', 'resolved.payer_responsibility']) }}
            as claim_identity_key
        , resolved.is_adjudication_status
            and coalesce(resolved.payer_sequence, 'P') = 'P' as is_primary_adjudication
        , resolved.is_adjudication_status
            and coalesce(resolved.payer_sequence, resolved.payer_responsibility) = resolved.payer_responsibility
            as is_claim_adjudication
        , cast(coalesce(adjustment_totals.adjustment_amount, 0) as decimal(18, 2)) as adjustment_amount
        , cast(coalesce(adjustment_totals.contractual_adjustment_amount, 0) as decimal(18, 2))
            as contractual_adjustment_amount
        , cast(coalesce(adjustment_totals.patient_responsibility_adjustment_amount, 0) as decimal(18, 2))
            as patient_responsibility_adjustment_amount
        , cast(coalesce(adjustment_totals.denial_adjustment_amount, 0) as decimal(18, 2))
            as denial_adjustment_amount
        , coalesce(adjustment_totals.denial_adjustment_count, 0) as denial_adjustment_count
        , coalesce(adjustment_totals.line_denial_adjustment_count, 0) as line_denial_adjustment_count
        , (
            resolved.is_denial_status
            or (
                resolved.paid_amount = 0
                and coalesce(adjustment_totals.denial_adjustment_count, 0) > 0
            )
        ) as is_denied
    from resolved
    left join adjustment_totals
        on adjustment_totals.remittance_claim_key = resolved.remittance_claim_key

)

, final as (

    select
        classified.remittance_claim_key
        , classified.remittance_key
        , classified.claim_identity_key
        , classified.claim_key
        , classified.payer_id
        , classified.payer_responsibility
        , accepted_claims.claim_key is not null as has_submission
        , classified.status_code
        , classified.status_description
        , classified.is_primary_adjudication
        , classified.is_claim_adjudication
        , classified.is_reversal
        , classified.is_forwarded
        , classified.is_denied
        , classified.adjudication_date
        , classified.remittance_date
        , classified.production_date
        , classified.payment_date
        , classified.charge_amount
        , classified.paid_amount
        , classified.patient_responsibility_amount
        , classified.adjustment_amount
        , classified.contractual_adjustment_amount
        , classified.patient_responsibility_adjustment_amount
        , classified.denial_adjustment_amount
        , classified.denial_adjustment_count
        , classified.line_denial_adjustment_count
        , classified.payer_claim_key
        , classified.claim_filing_indicator
        , classified.facility_type_code
        , classified.frequency_code
        , classified.service_date_from
        , classified.service_date_to
        , classified.remark_codes
        , row_number() over (
            partition by classified.claim_identity_key
            order by
                classified.adjudication_date nulls last
                , case when classified.is_reversal then 0 else 1 end
                , classified.payment_date nulls last
                , classified.trace_number
                , classified.claim_index
                , classified.remittance_claim_key
        ) as remittance_sequence
        , classified.claim_index
        , classified.trace_number
        , classified.payer_trace_id
        , classified.batch_id
        , classified.received_at
    from classified
    left join accepted_claims
        on accepted_claims.claim_key = classified.claim_key
        and accepted_claims.payer_id is not distinct from classified.payer_id
        and accepted_claims.payer_responsibility = classified.payer_responsibility

)

select * from final
