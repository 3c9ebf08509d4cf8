{{ config(unique_key='status_event_key') }}
{#-
    One row per 277CA status (STC01 / STC10 / STC11 at the claim's HL level or above), with
    what the 277CA as a whole said about the claim and the transmission it answers
    (DESIGN §2 / §4, decision 0018).

    A response = one 277CA transaction about one claim. Its outcome: a rejection (A3, A6, A7,
    A8) at the claim's level or above rejects the claim (the highest level first: it is the
    cause); else accepted (A2); else received (A1). It answers the latest transmission of the
    claim to that payer not rejected by the 999 and sent on or before the 277CA's date.

    Incremental: every status of the claim keys touched since the last build
    (int_claim_activity: a new 277CA, or a new transmission it may answer).
-#}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, statuses as (

    select * from {{ ref('stg_x12_277__claim_statuses') }}
    {{ where_touched('claim_key', since) }}

)

, categories as (

    select * from {{ ref('claim_status_categories') }}

)

, transmissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    where not is_batch_rejected
    {%- if since %}
        and claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, classified as (

    select
        statuses.*
        , {{ surrogate_key(['statuses.sender_id', 'statuses.interchange_control_number', 'statuses.transaction_control_number', 'statuses.claim_key', 'statuses.payer_id']) }}
            as response_key
        , coalesce(statuses.report_date, statuses.status_date) as response_date
        , case statuses.status_level
            when 'claim' then 1
            when 'provider' then 2
            when 'receiver' then 3
            when 'source' then 4
            else 5
        end as level_rank
        , categories.category_group
        , categories.acknowledgment_outcome
    from statuses
    left join categories
        on categories.category_code = statuses.category_code
        and {{ code_in_effect('categories', 'coalesce(statuses.report_date, statuses.status_date)') }}

)

, ranked as (

    select
        classified.*
        , row_number() over (
            partition by response_key
            order by
                case acknowledgment_outcome
                    when 'rejected' then 1
                    when 'accepted' then 2
                    when 'received' then 3
                    else 4
                end
                , level_rank desc
                , category_code
                , status_code
                , record_key
        ) as outcome_rank
    from classified

)

, responses as (

    select
        response_key
        , claim_key
        , payer_id
        , response_date
        , category_code as response_category_code
        , status_code as response_status_code
        , status_level as response_level
        , coalesce(acknowledgment_outcome, 'other') as response_outcome
        , interchange_control_number
        , transaction_control_number
    from ranked
    where outcome_rank = 1

)

, answered_transmissions as (

    select
        responses.response_key
        , transmissions.transmission_key
        , transmissions.claim_identity_key
        , transmissions.payer_responsibility
        , row_number() over (
            partition by responses.response_key
            order by transmissions.submission_date desc, transmissions.transmission_sequence desc
        ) as candidate_rank
    from responses
    inner join transmissions
        on transmissions.claim_key = responses.claim_key
        and transmissions.payer_id is not distinct from responses.payer_id
        and transmissions.submission_date <= responses.response_date

)

, claim_responsibilities as (

    -- a 277CA without a matching transmission still belongs to the payer's claim
    select
        claim_key
        , payer_id
        , min(payer_responsibility) as payer_responsibility
    from transmissions
    group by claim_key, payer_id

)

, responses_resolved as (

    select
        responses.*
        , answered_transmissions.transmission_key
        , coalesce(
            answered_transmissions.payer_responsibility
            , claim_responsibilities.payer_responsibility
            , 'P'
        ) as payer_responsibility
        , row_number() over (
            partition by answered_transmissions.transmission_key
            order by responses.response_date desc nulls last, responses.interchange_control_number desc,
                responses.transaction_control_number desc, responses.response_key desc
        ) as reverse_response_sequence
    from responses
    left join answered_transmissions
        on answered_transmissions.response_key = responses.response_key
        and answered_transmissions.candidate_rank = 1
    left join claim_responsibilities
        on claim_responsibilities.claim_key = responses.claim_key
        and claim_responsibilities.payer_id is not distinct from responses.payer_id

)

, final as (

    select
        ranked.record_key as status_event_key
        , ranked.response_key
        , {{ surrogate_key(['ranked.claim_key', 'ranked.payer_id', 'responses_resolved.payer_responsibility']) }}
            as claim_identity_key
        , responses_resolved.transmission_key
        , ranked.claim_key
        , ranked.payer_id
        , responses_resolved.payer_responsibility
        , ranked.category_code
        , ranked.status_code
        , ranked.entity_code
        , ranked.status_date
        , ranked.status_level
        , ranked.level_rank
        , ranked.category_group
        , ranked.acknowledgment_outcome
        , coalesce(ranked.acknowledgment_outcome = 'rejected', false) as is_rejection
        , ranked.charge_amount
        , ranked.payer_claim_key
        , ranked.report_date
        , ranked.response_date
        , ranked.outcome_rank = 1 as is_response_outcome
        , responses_resolved.response_category_code
        , responses_resolved.response_status_code
        , responses_resolved.response_level
        , responses_resolved.response_outcome
        , responses_resolved.transmission_key is not null
            and responses_resolved.reverse_response_sequence = 1 as is_latest_response_of_transmission
        , row_number() over (
            partition by ranked.claim_key, ranked.payer_id, responses_resolved.payer_responsibility
            order by ranked.response_date, ranked.interchange_control_number,
                ranked.transaction_control_number, ranked.level_rank desc, ranked.record_key
        ) as event_sequence
        , ranked.sender_id
        , ranked.interchange_control_number
        , ranked.transaction_control_number
        , ranked.batch_id
        , ranked.received_at
    from ranked
    inner join responses_resolved
        on responses_resolved.response_key = ranked.response_key

)

select * from final
