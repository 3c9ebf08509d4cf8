{{ config(unique_key='claim_key') }}
{#-
    Per primary claim (claim_key, payer_id): the first adjudication (earliest CLP02 1 / 4 / 19 by
    adjudication date, then landing order) and whether it was denied; the first payment = the
    earliest primary adjudication with CLP04 > 0, dated by its payment date (BPR16, else DTM*405);
    paid amount = Σ CLP04 of the primary adjudications and reversals (CLP02 22).
    Incremental: the claim keys touched since the last build (int_claim_activity).
-#}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, adjudications as (

    select * from {{ ref('int_adjudications_classified') }}
    where (is_primary_adjudication or is_reversal)
    {%- if since %}
        and claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, ranked as (

    select
        adjudications.*
        , row_number() over (
            partition by claim_key, payer_id
            order by
                case when is_primary_adjudication then 0 else 1 end
                , adjudication_date nulls last
                , received_at
                , remittance_claim_key
        ) as adjudication_rank
    from adjudications

)

, first_adjudications as (

    select * from ranked
    where adjudication_rank = 1
        and is_primary_adjudication

)

, totals as (

    select
        claim_key
        , payer_id
        , count(case when is_primary_adjudication then 1 end) as adjudication_count
        , count(case when is_reversal then 1 end) as reversal_count
        , min(case when is_primary_adjudication and paid_amount > 0 then remittance_date end)
            as first_payment_date
        , sum(paid_amount) as paid_amount
    from adjudications
    group by
        claim_key
        , payer_id

)

, final as (

    select
        totals.claim_key
        , totals.payer_id
        , first_adjudications.remittance_claim_key as first_adjudication_key
        , first_adjudications.adjudication_date as first_adjudication_date
        , first_adjudications.is_denied as first_adjudication_denied
        , totals.first_payment_date
        , totals.adjudication_count
        , totals.reversal_count
        , cast(totals.paid_amount as decimal(18, 2)) as paid_amount
    from totals
    left join first_adjudications
        on first_adjudications.claim_key = totals.claim_key
        and coalesce(first_adjudications.payer_id, '') = coalesce(totals.payer_id, '')

)

select * from final
