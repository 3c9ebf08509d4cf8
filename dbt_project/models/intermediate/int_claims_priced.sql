{#-
    One row per primary claim (claim_key, payer_id): the 837 submissions with SBR01 = P.
    The claim's record is its first original (frequency 1) submission, else its first replacement;
    submission date = the first BHT04 of a frequency-1 837 (no 999 feed yet, so every 837 counts as
    accepted). Facility from the service facility NPI, expected reimbursement = Σ over the chosen
    submission's lines of the payer-contract allowed amount × units.
-#}
with submissions as (

    select * from {{ ref('stg_x12_837__claim_submissions') }}
    where payer_responsibility = 'P'

)

, service_lines as (

    select * from {{ ref('stg_x12_837__claim_service_lines') }}

)

, contracts as (

    select * from {{ ref('int_payer_contracts_deduplicated') }}

)

, facilities as (

    select * from {{ ref('int_facilities_deduplicated') }}

)

, payers as (

    select * from {{ ref('int_payers_deduplicated') }}

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
                , record_key
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

, chosen_lines as (

    select
        chosen.claim_key
        , chosen.payer_id
        , service_lines.line_number
        , service_lines.procedure_code
        , coalesce(service_lines.units, 1) as units
        , coalesce(service_lines.service_date, chosen.service_date_from) as line_service_date
    from chosen
    inner join service_lines
        on service_lines.claim_key = chosen.claim_key
        and coalesce(service_lines.payer_id, '') = coalesce(chosen.payer_id, '')
        and service_lines.frequency_code = chosen.frequency_code
        and service_lines.sender_id = chosen.sender_id
        and service_lines.interchange_control_number = chosen.interchange_control_number
        and service_lines.transaction_control_number = chosen.transaction_control_number

)

, line_contracts as (

    select
        chosen_lines.claim_key
        , chosen_lines.payer_id
        , chosen_lines.line_number
        , chosen_lines.units
        , contracts.expected_reimbursement
        , row_number() over (
            partition by chosen_lines.claim_key, chosen_lines.payer_id, chosen_lines.line_number
            order by contracts.effective_from desc
        ) as contract_rank
    from chosen_lines
    left join contracts
        on contracts.payer_id = chosen_lines.payer_id
        and contracts.service_code = chosen_lines.procedure_code
        and chosen_lines.line_service_date >= contracts.effective_from
        and (contracts.effective_to is null or chosen_lines.line_service_date <= contracts.effective_to)

)

, pricing as (

    select
        claim_key
        , payer_id
        , count(*) as line_count
        , count(expected_reimbursement) as priced_line_count
        , sum(expected_reimbursement * units) as expected_reimbursement
    from line_contracts
    where contract_rank = 1
    group by
        claim_key
        , payer_id

)

, final as (

    select
        chosen.claim_key
        , chosen.payer_id
        , coalesce(payers.payer_name, chosen.payer_name) as payer_name
        , payers.payer_type
        , payers.party_code as payer_party_code
        , chosen.record_key as submission_record_key
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
    left join payers
        on payers.payer_id = chosen.payer_id

)

select * from final
