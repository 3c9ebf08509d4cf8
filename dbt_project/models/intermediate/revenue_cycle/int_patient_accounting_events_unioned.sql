{{ config(unique_key='event_key') }}
{#-
    One row per patient-accounting event (DESIGN §2 / §4): patient payments, write-offs
    (denial, bad debt, charity, small balance), appeal events and refunds, on the claim they
    belong to (the claim submitted to that payer; primary when the extract cannot tell).
    ar_effect_amount: what the event does to the claim's receivable (payments and write-offs
    reduce it, refunds add back, appeals move no money).

    Incremental: the events of the claim keys touched since the last build (int_claim_activity:
    the claim's payer responsibility may change with a transmission), and new events without
    a claim.
-#}
{%- set since = incremental_since() %}
{%- set extracts = [
    ('patient_payment', 'stg_patient_accounting__patient_payments', 'payment_channel', 'null', 'null', 'null', -1),
    ('write_off', 'stg_patient_accounting__write_offs', 'write_off_type', 'carc', 'null', 'null', -1),
    ('appeal', 'stg_patient_accounting__appeals', 'appeal_event', 'carc', 'denial_date', 'appeal_deadline', 0),
    ('refund', 'stg_patient_accounting__refunds', 'payee', 'null', 'null', 'null', 1),
] %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, events as (
    {%- for event_type, model, subtype, carc, denial_date, deadline, sign in extracts %}

    select
        record_key
        , transaction_id
        , '{{ event_type }}' as event_type
        , cast({{ subtype }} as varchar) as event_subtype
        , posted_date
        , claim_key
        , facility_code
        , payer_id
        , cast({{ carc }} as varchar) as carc
        , cast({{ denial_date }} as date) as denial_date
        , cast({{ deadline }} as date) as appeal_deadline
        , amount
        , cast(amount * {{ sign }} as decimal(18, 2)) as ar_effect_amount
        , extract_date
        , batch_id
        , received_at
    from {{ ref(model) }}
    {%- if since %}
    where claim_key in (select claim_key from touched_claims)
        or (claim_key is null and received_at >= {{ since }})
    {%- endif %}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

, submitted_responsibilities as (

    select
        claim_key
        , payer_id
        , min(payer_responsibility) as payer_responsibility
        , count(distinct payer_responsibility) as responsibility_count
    from {{ ref('int_claim_transmissions_acknowledged') }}
    {{ where_touched('claim_key', since) }}
    group by claim_key, payer_id

)

, denial_taxonomy as (

    select * from {{ ref('denial_taxonomy') }}

)

, resolved as (

    select
        events.*
        , case when submitted_responsibilities.responsibility_count = 1
            then submitted_responsibilities.payer_responsibility else 'P' end as payer_responsibility
    from events
    left join submitted_responsibilities
        on submitted_responsibilities.claim_key = events.claim_key
        and submitted_responsibilities.payer_id is not distinct from events.payer_id

)

select
    resolved.record_key as event_key
    , resolved.transaction_id
    , resolved.event_type
    , resolved.event_subtype
    , resolved.posted_date
    , {{ surrogate_key(['resolved.claim_key', 'resolved.payer_id', 'resolved.payer_responsibility']) }}
        as claim_identity_key
    , resolved.claim_key
    , resolved.payer_id
    , resolved.payer_responsibility
    , resolved.facility_code
    , resolved.carc
    , case when resolved.carc is not null
        then coalesce(denial_taxonomy.denial_category, 'other') end as denial_category
    , resolved.denial_date
    , resolved.appeal_deadline
    , resolved.amount
    , resolved.ar_effect_amount
    , resolved.extract_date
    , resolved.batch_id
    , resolved.received_at
from resolved
left join denial_taxonomy
    on denial_taxonomy.carc = resolved.carc
