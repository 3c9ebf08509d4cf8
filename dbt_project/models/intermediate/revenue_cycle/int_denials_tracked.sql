{{ config(unique_key='claim_key') }}
{#-
    One row per claim with a denied adjudication (DESIGN §4): its first denial, the reason
    and denial category, the appeal, and the resolution.

    - first denial: the claim's earliest denied adjudication (event order); its reason = its
      first denial-category adjustment (claim level before line level), rolled up by the
      denial taxonomy. An initial denial is a first adjudication that is denied.
    - appeal: the patient-accounting appeal events of the claim; outcome = the last decision
      (overturned, upheld, withdrawn), pending while only filed. Deadline = the extract's, else
      the denial date + the payer type's appeal window (seed payer_appeal_windows).
    - resolution: a later adjudication of the claim with CLP04 > 0 (paid, dated by its
      adjudication), else a denial write-off (dated by its posting); open otherwise.

    Incremental: the claim keys touched since the last build (int_claim_activity) and the
    denials whose payer version (appeal window) a master-data change reaches.
-#}
{%- set since = incremental_since() %}
{% call touched_claims_ctes(since) %}
    select denials.claim_key
    from {{ this }} as denials
    where {{ master_data_changed('payers', 'payer_id', 'denials.payer_id', 'denials.first_denial_date') }}
{%- endcall %}

, adjudications as (

    select * from {{ ref('int_remittance_claims_classified') }}
    where is_claim_adjudication
    {%- if since %}
        and claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, adjustments as (

    select * from {{ ref('int_remittance_adjustments_categorized') }}
    {{ where_touched('claim_key', since) }}

)

, accounting_events as (

    select * from {{ ref('int_patient_accounting_events_unioned') }}
    {{ where_touched('claim_key', since) }}

)

, payers as (

    select * from {{ ref('int_payers_versioned') }}

)

, appeal_windows as (

    select * from {{ ref('payer_appeal_windows') }}

)

, sequenced as (

    select
        adjudications.*
        , {{ adjudication_rank() }} as adjudication_rank
    from adjudications

)

, denials as (

    select
        sequenced.*
        , row_number() over (
            partition by claim_identity_key order by remittance_sequence
        ) as denial_rank
        , count(*) over (partition by claim_identity_key) as denied_adjudication_count
    from sequenced
    where is_denied

)

, first_denials as (

    select * from denials
    where denial_rank = 1

)

, denial_reasons as (

    select
        adjustments.remittance_claim_key
        , adjustments.reason_code
        , adjustments.denial_category
        , adjustments.is_preventable_denial
        , adjustments.denial_owner_team
        , row_number() over (
            partition by adjustments.remittance_claim_key
            order by
                case
                    when adjustments.adjustment_category = 'denial' then 0
                    when adjustments.group_code <> 'PR' then 1
                    else 2
                end
                , case when adjustments.adjustment_level = 'claim' then 0 else 1 end
                , adjustments.line_number nulls first
                , adjustments.adjustment_index
        ) as reason_rank
    from adjustments
    inner join first_denials
        on first_denials.remittance_claim_key = adjustments.remittance_claim_key

)

, later_payments as (

    select
        first_denials.claim_identity_key
        , min(adjudications.adjudication_date) as paid_after_denial_date
    from first_denials
    inner join adjudications
        on adjudications.claim_identity_key = first_denials.claim_identity_key
        and adjudications.adjudication_date >= first_denials.adjudication_date
        and adjudications.paid_amount > 0
        and adjudications.remittance_claim_key <> first_denials.remittance_claim_key
    group by first_denials.claim_identity_key

)

, write_offs as (

    select
        claim_identity_key
        , min(posted_date) as write_off_date
        , cast(sum(amount) as decimal(18, 2)) as write_off_amount
    from accounting_events
    where event_type = 'write_off'
        and event_subtype = 'denial'
    group by claim_identity_key

)

, appeal_events as (

    select
        accounting_events.*
        , row_number() over (
            partition by claim_identity_key
            order by
                case when event_subtype = 'filed' then 1 else 0 end
                , posted_date desc
                , transaction_id desc
        ) as decision_rank
    from accounting_events
    where event_type = 'appeal'

)

, appeals as (

    select
        claim_identity_key
        , min(case when event_subtype = 'filed' then posted_date end) as appeal_filed_date
        , min(appeal_deadline) as appeal_deadline
        , count(*) as appeal_event_count
    from appeal_events
    group by claim_identity_key

)

, appeal_decisions as (

    select
        claim_identity_key
        , event_subtype as appeal_decision
        , posted_date as appeal_decision_date
    from appeal_events
    where decision_rank = 1
        and event_subtype <> 'filed'

)

, joined as (

    select
        first_denials.claim_identity_key
        , first_denials.claim_key
        , first_denials.payer_id
        , first_denials.payer_responsibility
        , first_denials.remittance_claim_key as first_denial_remittance_claim_key
        , first_denials.adjudication_date as first_denial_date
        , first_denials.status_code as first_denial_status_code
        , first_denials.charge_amount as denied_charge_amount
        , first_denials.adjudication_rank = 1 as is_initial_denial
        , first_denials.denied_adjudication_count
        , denial_reasons.reason_code as first_denial_carc
        , coalesce(denial_reasons.denial_category, 'other') as denial_category
        , coalesce(denial_reasons.is_preventable_denial, false) as is_preventable
        , coalesce(denial_reasons.denial_owner_team, 'revenue_cycle') as owner_team
        , payers.payer_type
        , appeals.appeal_filed_date
        , coalesce(appeals.appeal_event_count, 0) as appeal_event_count
        , case
            when appeal_decisions.appeal_decision is not null then appeal_decisions.appeal_decision
            when appeals.appeal_filed_date is not null then 'pending'
        end as appeal_outcome
        , appeal_decisions.appeal_decision_date
        , coalesce(
            appeals.appeal_deadline
            , {{ add_days_to_date('first_denials.adjudication_date', 'appeal_windows.appeal_window_days') }}
        ) as appeal_deadline_date
        , later_payments.paid_after_denial_date
        , write_offs.write_off_date as denial_write_off_date
        , write_offs.write_off_amount as denial_write_off_amount
    from first_denials
    left join denial_reasons
        on denial_reasons.remittance_claim_key = first_denials.remittance_claim_key
        and denial_reasons.reason_rank = 1
    left join payers
        on payers.payer_id = first_denials.payer_id
        and {{ valid_at('payers', 'first_denials.adjudication_date') }}
    left join appeal_windows
        on appeal_windows.payer_type = payers.payer_type
    left join appeals
        on appeals.claim_identity_key = first_denials.claim_identity_key
    left join appeal_decisions
        on appeal_decisions.claim_identity_key = first_denials.claim_identity_key
    left join later_payments
        on later_payments.claim_identity_key = first_denials.claim_identity_key
    left join write_offs
        on write_offs.claim_identity_key = first_denials.claim_identity_key

)

select
    joined.*
    , case
        when paid_after_denial_date is not null then 'paid'
        when denial_write_off_date is not null then 'write_off'
    end as resolution_type
    , coalesce(paid_after_denial_date, denial_write_off_date) as resolution_date
    , cast({{ days_between('first_denial_date', 'coalesce(paid_after_denial_date, denial_write_off_date)') }} as integer)
        as days_to_resolution
    , paid_after_denial_date is null and denial_write_off_date is null as is_open
from joined
