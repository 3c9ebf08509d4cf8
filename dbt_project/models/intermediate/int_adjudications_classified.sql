{#-
    One row per 835 CLP with its adjustments summed by CARC category (seed carc_categories:
    group PR is always patient responsibility; in groups CO, OA, PI a CARC counts as its seed
    category, an unknown CARC as a denial). DESIGN §4: CLP02 in 1, 4, 19 adjudicates the primary
    claim, dated by DTM*405 else BPR16; denied = CLP02 4, or CLP04 = 0 with at least one
    denial-category adjustment at claim or line level.
-#}
with remittance_claims as (

    select * from {{ ref('stg_x12_835__remittance_claims') }}

)

, adjustments as (

    select * from {{ ref('stg_x12_835__remittance_adjustments') }}

)

, carc_categories as (

    select * from {{ ref('carc_categories') }}

)

, categorized as (

    select
        adjustments.remittance_claim_key
        , adjustments.adjustment_level
        , adjustments.group_code
        , adjustments.amount
        , case
            when adjustments.group_code = 'PR' then 'patient_responsibility'
            when adjustments.group_code in ('CO', 'OA', 'PI')
                then coalesce(carc_categories.category, 'denial')
            else 'other'
        end as adjustment_category
    from adjustments
    left join carc_categories
        on carc_categories.carc = adjustments.reason_code

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
    from categorized
    group by remittance_claim_key

)

, final as (

    select
        remittance_claims.remittance_claim_key
        , remittance_claims.remittance_key
        , remittance_claims.claim_key
        , remittance_claims.payer_id
        , remittance_claims.status_code
        , remittance_claims.status_code in ('1', '4', '19') as is_primary_adjudication
        , remittance_claims.status_code = '22' as is_reversal
        , coalesce(remittance_claims.production_date, remittance_claims.payment_date) as adjudication_date
        , coalesce(remittance_claims.payment_date, remittance_claims.production_date) as remittance_date
        , remittance_claims.charge_amount
        , remittance_claims.paid_amount
        , remittance_claims.patient_responsibility_amount
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
            remittance_claims.status_code = '4'
            or (
                remittance_claims.paid_amount = 0
                and coalesce(adjustment_totals.denial_adjustment_count, 0) > 0
            )
        ) as is_denied
        , remittance_claims.claim_index
        , remittance_claims.received_at
    from remittance_claims
    left join adjustment_totals
        on adjustment_totals.remittance_claim_key = remittance_claims.remittance_claim_key

)

select * from final
