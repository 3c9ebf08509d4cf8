{#-
    Paid-to-expected ratio per payer as of the cut-off = Σ paid_amount (CLP04) / Σ expected
    reimbursement (the contract's allowed amount, patient share included) of the primary claims
    first paid on or before the cut-off: the share of the allowed amount the payer itself pays.
    payer_id '*' = all payers (the fallback of a payer with few paid claims, see
    fct_cash_receipts_forecast). paid_amount is the claim's CLP04 total as it stands (a reversal
    dated after the cut-off would count; decision 0033).
-#}
with cutoff as (

    select as_of_date from {{ ref('forecast_as_of_date') }}

)

, paid_claims as (

    select claims.payer_id, claims.paid_amount, claims.expected_reimbursement
    from {{ ref('fct_claims') }} as claims
    inner join cutoff
        on claims.first_payment_date <= cutoff.as_of_date
    where claims.payer_id is not null
        and claims.expected_reimbursement is not null

)

, by_payer as (

    select payer_id, count(*) as paid_claims, sum(paid_amount) as paid_amount
        , sum(expected_reimbursement) as expected_reimbursement
    from paid_claims
    group by payer_id

    union all

    select '*', count(*), sum(paid_amount), sum(expected_reimbursement)
    from paid_claims

)

select
    cutoff.as_of_date
    , cast(by_payer.payer_id as varchar) as payer_id
    , cast(by_payer.paid_claims as bigint) as paid_claims
    , cast(coalesce(by_payer.paid_amount, 0) as decimal(18, 2)) as paid_amount
    , cast(coalesce(by_payer.expected_reimbursement, 0) as decimal(18, 2)) as expected_reimbursement
    , cast({{ safe_divide('by_payer.paid_amount', 'by_payer.expected_reimbursement') }} as float8)
        as payment_ratio
from by_payer
cross join cutoff
