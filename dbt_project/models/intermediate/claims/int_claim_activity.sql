{{ config(unique_key='claim_key') }}
{#-
    One row per claim key (CLM01 = the visit number) with the latest landing time of anything
    that re-decides the claims of that key or its encounter (decision 0025): the index the
    incremental revenue-cycle models read to re-derive exactly the claims new events touch.

    Touches: a row of the claim's own (837, 277CA, 835 claim / line / adjustment,
    patient-accounting extracts); a 999 / TA1 answering the 837 batch that carried it; an event
    of an appointment that was ever on the visit (booking time, encounter); a change to the
    claim its replacement or void names by payer claim number (REF*F8 = 277CA REF*1K / 835
    CLP07). An incremental build reads the rows landed since its last build only.
-#}
{%- set since = incremental_since() -%}
{%- set claim_rows = [
    'stg_x12_837__claim_submissions',
    'stg_x12_837__claim_service_lines',
    'stg_x12_277__claim_statuses',
    'stg_x12_835__remittance_claims',
    'stg_x12_835__remittance_lines',
    'stg_x12_835__remittance_adjustments',
    'stg_patient_accounting__patient_payments',
    'stg_patient_accounting__write_offs',
    'stg_patient_accounting__appeals',
    'stg_patient_accounting__refunds',
] -%}
{%- set appointment_rows = [
    'stg_hl7_siu__appointment_events',
    'stg_fhir__appointment_events',
    'stg_vendor_csv__appointment_events',
] -%}
{%- set landed = (' and received_at >= ' ~ since) if since else '' -%}
with claim_events as (
    {%- for model_name in claim_rows %}

    select claim_key, received_at
    from {{ ref(model_name) }}
    where claim_key is not null{{ landed }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

, submissions as (

    select
        claim_key
        , sender_id
        , group_control_number
        , interchange_control_number
        , original_payer_claim_key
    from {{ ref('stg_x12_837__claim_submissions') }}

)

, group_answers as (

    -- AK1 answers the functional group (GS06), IK5 a set of it: both re-decide the group
    select receiver_id, acknowledged_group_control_number, received_at
    from {{ ref('stg_x12_999__transaction_set_acknowledgments') }}
    where true{{ landed }}

    union all

    select receiver_id, acknowledged_group_control_number, received_at
    from {{ ref('stg_x12_999__batch_acknowledgments') }}
    where true{{ landed }}

)

, interchange_answers as (

    select receiver_id, acknowledged_interchange_control_number, received_at
    from {{ ref('stg_x12_999__interchange_acknowledgments') }}
    where true{{ landed }}

)

, acknowledged_claims as (

    select submissions.claim_key, group_answers.received_at
    from group_answers
    inner join submissions
        on submissions.sender_id = group_answers.receiver_id
        and submissions.group_control_number = group_answers.acknowledged_group_control_number

    union all

    select submissions.claim_key, interchange_answers.received_at
    from interchange_answers
    inner join submissions
        on submissions.sender_id = interchange_answers.receiver_id
        and submissions.interchange_control_number = interchange_answers.acknowledged_interchange_control_number

)

, appointment_events as (
    {%- for model_name in appointment_rows %}

    select appointment_key, visit_key, received_at
    from {{ ref(model_name) }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

, appointment_landings as (

    select appointment_key, max(received_at) as received_at
    from appointment_events
    where appointment_key is not null{{ landed }}
    group by appointment_key

)

, visit_claims as (

    -- every visit an appointment was ever on: moving it re-decides the old visit too
    select distinct appointment_events.visit_key as claim_key, appointment_landings.received_at
    from appointment_landings
    inner join appointment_events
        on appointment_events.appointment_key = appointment_landings.appointment_key
    where appointment_events.visit_key is not null

)

, touched as (

    select claim_key, received_at from claim_events
    union all
    select claim_key, received_at from acknowledged_claims
    union all
    select claim_key, received_at from visit_claims

)

, payer_claim_numbers as (

    select claim_key, payer_claim_key
    from {{ ref('stg_x12_277__claim_statuses') }}
    where payer_claim_key is not null

    union

    select claim_key, payer_claim_key
    from {{ ref('stg_x12_835__remittance_claims') }}
    where payer_claim_key is not null

)

, replacing_claims as (

    -- a replacement / void links to the claim holding the payer claim number it names
    select submissions.claim_key, touched.received_at
    from touched
    inner join payer_claim_numbers
        on payer_claim_numbers.claim_key = touched.claim_key
    inner join submissions
        on submissions.original_payer_claim_key = payer_claim_numbers.payer_claim_key

)

select
    claim_key
    , max(received_at) as last_landed_at
from (
    select claim_key, received_at from touched
    union all
    select claim_key, received_at from replacing_claims
) as activity
group by claim_key
