{{ config(unique_key='claim_key') }}
{#-
    One row per primary claim (claim_key, payer_id): the 837 submissions with SBR01 = P, as the
    issue-2 marts read them (decision 0006; int_claims_assembled is the canonical claim).
    The claim's record is its first original (frequency 1) submission, else its first replacement;
    submission date = the first BHT04 of a frequency-1 837 (every 837 counts, 999 or not).
    Facility and payer = their master-data versions valid on the date of service; expected
    reimbursement = Σ over the chosen submission's lines of the contract rate × units
    (int_claim_lines_priced).

    Incremental: the claim keys touched since the last build (int_claim_activity), priced by a
    changed contract, or whose facility or payer version a master-data change reaches.
-#}
{%- set since = incremental_since() %}
{% call touched_claims_ctes(since, contracts_priced_in=ref('int_claim_lines_priced')) %}
    select claims.claim_key
    from {{ this }} as claims
    where {{ claim_facility_or_payer_changed('claims') }}
{%- endcall %}

, submissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    where payer_responsibility = 'P'
    {%- if since %}
        and claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, priced_lines as (

    select * from {{ ref('int_claim_lines_priced') }}
    {{ where_touched('claim_key', since) }}

)

, facilities as (

    select * from {{ ref('int_facilities_versioned') }}

)

, payers as (

    select * from {{ ref('int_payers_versioned') }}

)

, ranked as (

    select
        submissions.*
        , row_number() over (
            partition by claim_key, payer_id
            order by
                case when frequency_code = '1' then 0 else 1 end
                , submission_date nulls last
                , received_at
                , transmission_key
        ) as submission_rank
    from submissions
    where frequency_code in ('1', '7')

)

, claim_history as (

    select
        claim_key
        , payer_id
        , min(case when frequency_code = '1' then submission_date end) as submission_date
        , max(case when frequency_code = '1' then 1 else 0 end) = 1 as has_original
        , max(case when frequency_code = '8' then 1 else 0 end) = 1 as is_voided
        , count(*) as submission_count
    from submissions
    group by
        claim_key
        , payer_id

)

, chosen as (

    select * from ranked
    where submission_rank = 1

)

, pricing as (

    select
        chosen.claim_key
        , chosen.payer_id
        , count(*) as line_count
        , count(priced_lines.contract_rate) as priced_line_count
        , sum(priced_lines.contract_rate * priced_lines.units) as expected_reimbursement
    from chosen
    inner join priced_lines
        on priced_lines.transmission_key = chosen.transmission_key
    group by
        chosen.claim_key
        , chosen.payer_id

)

, final as (

    select
        chosen.claim_key
        , chosen.payer_id
        , coalesce(payers.payer_name, chosen.payer_name) as payer_name
        , payers.payer_type
        , payers.party_code as payer_party_code
        , chosen.transmission_key as submission_record_key
        , chosen.frequency_code
        , claim_history.has_original
        , claim_history.is_voided
        , claim_history.submission_count
        , chosen.facility_npi
        , facilities.facility_code
        , facilities.legal_entity_code
        , facilities.cost_center_code
        , chosen.service_date_from as service_date
        , chosen.service_date_to
        , claim_history.submission_date
        , chosen.charge_amount
        , cast(pricing.expected_reimbursement as decimal(18, 2)) as expected_reimbursement
        , coalesce(pricing.line_count, 0) as line_count
        , coalesce(pricing.priced_line_count, 0) as priced_line_count
    from chosen
    inner join claim_history
        on claim_history.claim_key = chosen.claim_key
        and coalesce(claim_history.payer_id, '') = coalesce(chosen.payer_id, '')
    left join pricing
        on pricing.claim_key = chosen.claim_key
        and coalesce(pricing.payer_id, '') = coalesce(chosen.payer_id, '')
    left join facilities
        on facilities.npi = chosen.facility_npi
        and {{ valid_at('facilities', 'chosen.service_date_from') }}
    left join payers
        on payers.payer_id = chosen.payer_id
        and {{ valid_at('payers', 'chosen.service_date_from') }}

)

select * from final
