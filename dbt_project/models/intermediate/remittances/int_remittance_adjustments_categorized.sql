{{ config(unique_key='adjustment_key') }}
{#-
    One row per CAS triplet (group, CARC, amount) at claim or line level, with its CARC
    category (DESIGN §4; seed carc_categories, the row in effect on the adjudication date):
    group PR is always patient responsibility; in groups CO, OA, PI a CARC counts as its seed
    category and an unknown CARC as a denial; other groups (CR) are `other`. Denials roll up
    into the denial taxonomy.

    Incremental: the adjustments of the claim keys touched since the last build
    (int_claim_activity).
-#}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, adjustments as (

    select * from {{ ref('stg_x12_835__remittance_adjustments') }}
    {{ where_touched('claim_key', since) }}

)

, remittance_claims as (

    select * from {{ ref('stg_x12_835__remittance_claims') }}
    {{ where_touched('claim_key', since) }}

)

, carc_categories as (

    select * from {{ ref('carc_categories') }}

)

, denial_taxonomy as (

    select * from {{ ref('denial_taxonomy') }}

)

, dated as (

    select
        adjustments.*
        , remittance_claims.payer_id
        , coalesce(remittance_claims.production_date, remittance_claims.payment_date) as adjudication_date
    from adjustments
    left join remittance_claims
        on remittance_claims.remittance_claim_key = adjustments.remittance_claim_key

)

, categorized as (

    select
        dated.*
        , carc_categories.description as carc_description
        , case
            when dated.group_code = 'PR' then 'patient_responsibility'
            when dated.group_code in ('CO', 'OA', 'PI')
                then coalesce(carc_categories.category, 'denial')
            else 'other'
        end as adjustment_category
    from dated
    left join carc_categories
        on carc_categories.carc = dated.reason_code
        and {{ code_in_effect('carc_categories', 'dated.adjudication_date') }}

)

select
    categorized.record_key as adjustment_key
    , categorized.remittance_claim_key
    , categorized.claim_key
    , categorized.payer_id
    , categorized.adjudication_date
    , categorized.adjustment_level
    , categorized.line_number
    , categorized.group_code
    , categorized.reason_code
    , categorized.carc_description
    , categorized.adjustment_category
    , case when categorized.adjustment_category = 'denial'
        then coalesce(denial_taxonomy.denial_category, 'other') end as denial_category
    , case when categorized.adjustment_category = 'denial'
        then coalesce(denial_taxonomy.is_preventable, false) end as is_preventable_denial
    , case when categorized.adjustment_category = 'denial'
        then coalesce(denial_taxonomy.owner_team, 'revenue_cycle') end as denial_owner_team
    , categorized.amount
    , categorized.quantity
    , categorized.adjustment_index
    , categorized.claim_index
    , categorized.trace_number
    , categorized.payer_trace_id
    , categorized.batch_id
    , categorized.received_at
from categorized
left join denial_taxonomy
    on denial_taxonomy.carc = categorized.reason_code
