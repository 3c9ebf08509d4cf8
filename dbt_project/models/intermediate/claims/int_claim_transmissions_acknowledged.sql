{{ config(unique_key='transmission_key') }}
{#-
    One row per transmission: a claim (CLM loop) carried by one 837, with the clearinghouse's
    answer to the batch that carried it (DESIGN §2 / §4, decision 0018).

    The claim is (CLM01, payer, payer responsibility); every 837 that carries it is one
    transmission (original, re-send, correction after a rejection, replacement, void). The 999
    answers the 837's functional group (AK1-02 = GS06) and each transaction set (AK2-02 = ST02);
    the TA1 answers the interchange (TA101 = ISA13); both are addressed to the 837's sender
    (999 / TA1 ISA08 = 837 ISA06). A transaction set's IK5 decides, else the group's AK9, and a
    rejected interchange rejects everything in it. No answer yet = pending: the 837 counts as
    submitted until a rejection arrives (the build re-derives it when one does).

    Incremental: every transmission of the claim keys touched since the last build (a new 837,
    a 999 / TA1 to its batch: int_claim_activity), with every answer to their batches.
-#}
{%- set since = incremental_since() %}
{%- set group_unit = ('acknowledged_group_control_number', 'group_control_number') %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, submissions as (

    select * from {{ ref('stg_x12_837__claim_submissions') }}
    {{ where_touched('claim_key', since) }}

)

-- the latest answer to each acknowledged unit of the batches (macro latest_batch_answers)
, transaction_set_answers as (

    {{ latest_batch_answers(
        ref('stg_x12_999__transaction_set_acknowledgments'),
        [group_unit, ('acknowledged_transaction_control_number', 'transaction_control_number')],
        since) }}

)

, group_answers as (

    {{ latest_batch_answers(ref('stg_x12_999__batch_acknowledgments'), [group_unit], since) }}

)

, interchange_answers as (

    {{ latest_batch_answers(
        ref('stg_x12_999__interchange_acknowledgments'),
        [('acknowledged_interchange_control_number', 'interchange_control_number')],
        since, dated=false) }}

)

, answered as (

    select
        submissions.*
        , transaction_set_answers.status as transaction_set_status
        , transaction_set_answers.error_codes as transaction_set_error_codes
        , transaction_set_answers.error_detail as transaction_set_error_detail
        , transaction_set_answers.report_date as transaction_set_report_date
        , group_answers.group_status
        , group_answers.group_error_codes
        , group_answers.report_date as group_report_date
        , interchange_answers.status as interchange_status
        , interchange_answers.note_code as interchange_note_code
    from submissions
    left join transaction_set_answers
        on transaction_set_answers.receiver_id = submissions.sender_id
        and transaction_set_answers.acknowledged_group_control_number = submissions.group_control_number
        and transaction_set_answers.acknowledged_transaction_control_number = submissions.transaction_control_number
        and transaction_set_answers.answer_rank = 1
    left join group_answers
        on group_answers.receiver_id = submissions.sender_id
        and group_answers.acknowledged_group_control_number = submissions.group_control_number
        and group_answers.answer_rank = 1
    left join interchange_answers
        on interchange_answers.receiver_id = submissions.sender_id
        and interchange_answers.acknowledged_interchange_control_number = submissions.interchange_control_number
        and interchange_answers.answer_rank = 1

)

, classified as (

    select
        answered.*
        , case
            when interchange_status = 'R' then 'rejected'
            when transaction_set_status in ('A', 'E') then 'accepted'
            when transaction_set_status in ('M', 'R', 'W', 'X') then 'rejected'
            when group_status in ('A', 'E') then 'accepted'
            when group_status in ('M', 'R', 'W', 'X') then 'rejected'
            else 'pending'  -- no answer yet, or a partial group without this set's AK2
        end as batch_acceptance_status
        , coalesce(transaction_set_report_date, group_report_date) as batch_acknowledgment_date
    from answered

)

, final as (

    select
        record_key as transmission_key
        , {{ surrogate_key(['claim_key', 'payer_id', 'payer_responsibility']) }} as claim_identity_key
        -- the claim's service lines carry these fields (not the claim's landing key)
        , {{ surrogate_key(['claim_key', 'payer_id', 'frequency_code', 'sender_id', 'interchange_control_number', 'transaction_control_number']) }}
            as line_match_key
        , claim_key
        , payer_id
        , payer_name
        , payer_responsibility
        , frequency_code
        , charge_amount
        , place_of_service
        , facility_code_qualifier
        , billing_npi
        , facility_npi
        , rendering_npi
        , subscriber_key
        , original_payer_claim_key
        , service_date_from
        , service_date_to
        , line_count
        , submission_date
        , transaction_type
        , batch_acceptance_status
        , batch_acceptance_status = 'rejected' as is_batch_rejected
        , batch_acknowledgment_date
        , transaction_set_status
        , group_status
        , interchange_status
        , coalesce(transaction_set_error_codes, group_error_codes, interchange_note_code) as batch_error_codes
        , transaction_set_error_detail as batch_error_detail
        , row_number() over (
            partition by claim_key, payer_id, payer_responsibility
            order by submission_date nulls last, interchange_control_number, transaction_control_number, record_key
        ) as transmission_sequence
        , sender_id
        , interchange_control_number
        , group_control_number
        , transaction_control_number
        , batch_id
        , received_at
    from classified

)

select * from final
