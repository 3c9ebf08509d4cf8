{{ config(unique_key='inquiry_key') }}
{#-
    One row per claim status inquiry (X12 276, 005010X212; decision 0015): a claim the billing
    office asked a payer about, with the payer's 277 answer. An inquiry is the claim-level TRN02
    of the 276 (the inquirer's trace, which the 277 echoes at claim level) for the claim of its
    REF*EJ (= CLM01 = claim_key) at the payer of loop 2100A; the 277 answers the same (payer,
    trace, claim). A 276 sent twice is one inquiry (its first landing dates it); the answer is
    the payer's latest 277 for it (report date, then control numbers), and its status the first
    composite of its claim-level STC (STC01). Receiver- and provider-level 277 statuses answer
    about those levels only and are not claim statuses. The claim identity (claim key, payer,
    responsibility) comes from the 837s of the claim to that payer (SBR01; the lowest, primary
    first, when it was billed to the payer under several).

    Kept apart from int_claim_status_events_sequenced (decision 0028): a 277CA status
    acknowledges a transmission (A1-A8: accepted / rejected) and drives first-pass acceptance;
    an X212 answer is the payer's view of an accepted claim on a day (F / P / R / E), about no
    transmission.

    Incremental: the inquiries with a 276 / 277 row landed since the last build, and those of
    the claim keys with an 837 landed since (it may give the inquiry its claim identity).
-#}
{%- set since = incremental_since() %}
with submissions as (

    select claim_key, payer_id, payer_responsibility, received_at
    from {{ ref('stg_x12_837__claim_submissions') }}

)

, exchanged as (

    select
        {{ surrogate_key(['payer_id', 'trace_number', 'claim_key']) }} as inquiry_key
        , stg.*
    from {{ ref('stg_x12_277__claim_status_inquiries') }} as stg
    where status_level = 'claim'

)
{%- if since %}

, touched_inquiries as (

    select inquiry_key from exchanged where received_at >= {{ since }}
    union
    select inquiry_key from exchanged
    where claim_key in (select claim_key from submissions where received_at >= {{ since }})

)
{%- endif %}

, claim_rows as (

    select * from exchanged
    {{ where_touched('inquiry_key', since, 'touched_inquiries', 'inquiry_key') }}

)

, inquiries as (

    select
        inquiry_key
        , payer_id
        , trace_number
        , claim_key
        , min(report_date) as inquiry_date
        , count(distinct record_key) as inquiry_copies
        , min(received_at) as inquiry_received_at
    from claim_rows
    where message_role = 'inquiry'
    group by inquiry_key, payer_id, trace_number, claim_key

)

, inquiry_details as (

    select
        inquiry_key
        , payer_claim_key
        , charge_amount
        , service_date_from
        , service_date_to
        , provider_id
        , row_number() over (
            partition by inquiry_key
            order by report_date nulls last, received_at, record_key
        ) as copy_rank
    from claim_rows
    where message_role = 'inquiry'

)

, response_statuses as (

    select
        claim_rows.*
        , row_number() over (
            partition by inquiry_key
            order by report_date desc nulls last, interchange_control_number desc,
                transaction_control_number desc, sender_id desc, item_index, record_key
        ) as status_rank
    from claim_rows
    where message_role = 'response'

)

, responses as (

    select
        inquiry_key
        , count(distinct interchange_control_number || '|' || transaction_control_number) as response_count
        , min(report_date) as first_response_date
    from response_statuses
    group by inquiry_key

)

, latest_status as (

    select * from response_statuses
    where status_rank = 1

)

, keys as (

    select inquiry_key, payer_id, trace_number, claim_key from inquiries
    union
    select inquiry_key, payer_id, trace_number, claim_key from latest_status

)

, transmissions as (

    select claim_key, payer_id, min(payer_responsibility) as payer_responsibility
    from submissions
    {%- if since %}
    where claim_key in (select claim_key from claim_rows)
    {%- endif %}
    group by claim_key, payer_id

)

, categories as (

    select * from {{ ref('claim_status_categories') }}

)

select
    keys.inquiry_key
    , keys.claim_key
    , keys.payer_id
    , transmissions.payer_responsibility
    , case when transmissions.claim_key is not null then
        {{ surrogate_key(['keys.claim_key', 'keys.payer_id', 'transmissions.payer_responsibility']) }}
    end as claim_identity_key
    , keys.trace_number
    , coalesce(inquiry_details.payer_claim_key, latest_status.payer_claim_key) as payer_claim_key
    , inquiries.inquiry_date
    , coalesce(inquiries.inquiry_copies, 0) as inquiry_copies
    , inquiry_details.charge_amount as inquiry_charge_amount
    , coalesce(inquiry_details.service_date_from, latest_status.service_date_from) as service_date_from
    , coalesce(inquiry_details.service_date_to, latest_status.service_date_to) as service_date_to
    , coalesce(inquiry_details.provider_id, latest_status.provider_id) as provider_id
    , latest_status.inquiry_key is not null as is_answered
    , coalesce(responses.response_count, 0) as response_count
    , latest_status.report_date as response_date
    , latest_status.category_code
    , latest_status.status_code
    , latest_status.entity_code
    , categories.category_group
    , latest_status.status_date
    , latest_status.charge_amount as response_charge_amount
    , latest_status.paid_amount
    , latest_status.adjudication_date
    , latest_status.payment_date
    , latest_status.check_number
    , cast({{ days_between('inquiries.inquiry_date', 'latest_status.report_date') }} as integer) as response_days
    , inquiries.inquiry_key is not null as has_inquiry
    , transmissions.claim_key is not null as has_submission
    , coalesce(inquiries.inquiry_received_at, latest_status.received_at) as received_at
from keys
left join inquiries
    on inquiries.inquiry_key = keys.inquiry_key
left join inquiry_details
    on inquiry_details.inquiry_key = keys.inquiry_key
    and inquiry_details.copy_rank = 1
left join latest_status
    on latest_status.inquiry_key = keys.inquiry_key
left join responses
    on responses.inquiry_key = keys.inquiry_key
left join transmissions
    on transmissions.claim_key = keys.claim_key
    and transmissions.payer_id is not distinct from keys.payer_id
left join categories
    on categories.category_code = latest_status.category_code
    and {{ code_in_effect('categories', 'latest_status.report_date') }}
