{{ config(unique_key='remittance_claim_key') }}
{#-
    One row per 835 CLP in the shape the issue-2 marts read (decision 0006): a projection of
    the canonical int_remittance_claims_classified, which holds the definitions (CARC
    categories, CLP02 1 / 4 / 19 = adjudication of the primary claim, the denied flag).
    Incremental: the CLPs of the claim keys touched since the last build.
-#}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

select
    remittance_claim_key
    , remittance_key
    , claim_key
    , payer_id
    , status_code
    , is_primary_adjudication
    , is_reversal
    , adjudication_date
    , remittance_date
    , charge_amount
    , paid_amount
    , patient_responsibility_amount
    , adjustment_amount
    , contractual_adjustment_amount
    , patient_responsibility_adjustment_amount
    , denial_adjustment_amount
    , denial_adjustment_count
    , line_denial_adjustment_count
    , is_denied
    , claim_index
    , received_at
from {{ ref('int_remittance_claims_classified') }}
{{ where_touched('claim_key', since) }}
