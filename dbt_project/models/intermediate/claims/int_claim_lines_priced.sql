{{ config(unique_key='claim_key') }}
{#-
    One row per 837 service line of a transmission, with its expected reimbursement: the payer
    contract in effect on the line's date of service (contract effective_from .. effective_to)
    × units. Each contract row is taken as the ERP last listed it (int_payer_contracts_versioned,
    latest version), so a corrected rate re-prices past services; a rate change with its own
    effective_from prices only the services from that day (decision 0017).

    Incremental: the lines of the claim keys touched since the last build (int_claim_activity)
    and of the (payer, procedure) pairs whose contract terms a new extract changed.
-#}
{%- set since = incremental_since() %}
{{ touched_claims_ctes(since, contracts_priced_in=this) }}

, service_lines as (

    select * from {{ ref('stg_x12_837__claim_service_lines') }}
    {{ where_touched('claim_key', since) }}

)

, transmissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    {{ where_touched('claim_key', since) }}

)

, contracts as (

    select * from {{ ref('int_payer_contracts_versioned') }}
    where is_latest_version

)

, lines as (

    select
        service_lines.record_key as line_key
        , transmissions.transmission_key
        , transmissions.claim_identity_key
        , service_lines.claim_key
        , service_lines.payer_id
        , service_lines.line_number
        , service_lines.line_control_key
        , service_lines.procedure_code
        , service_lines.revenue_code
        , service_lines.charge_amount
        , cast(coalesce(service_lines.units, 1) as decimal(18, 4)) as units
        , coalesce(service_lines.service_date, transmissions.service_date_from) as service_date
    from service_lines
    inner join transmissions
        on transmissions.line_match_key = {{ surrogate_key([
            'service_lines.claim_key', 'service_lines.payer_id', 'service_lines.frequency_code',
            'service_lines.sender_id', 'service_lines.interchange_control_number',
            'service_lines.transaction_control_number']) }}

)

, priced as (

    select
        lines.*
        , contracts.expected_reimbursement as contract_rate
        , contracts.effective_from as contract_effective_from
        , row_number() over (
            partition by lines.transmission_key, lines.line_key
            order by contracts.effective_from desc nulls last
        ) as contract_rank
    from lines
    left join contracts
        on contracts.payer_id = lines.payer_id
        and contracts.service_code = lines.procedure_code
        and lines.service_date >= contracts.effective_from
        and (contracts.effective_to is null or lines.service_date <= contracts.effective_to)

)

select
    line_key
    , transmission_key
    , claim_identity_key
    , claim_key
    , payer_id
    , line_number
    , line_control_key
    , procedure_code
    , revenue_code
    , charge_amount
    , units
    , service_date
    , contract_rate
    , contract_effective_from
    , cast(contract_rate * units as decimal(18, 2)) as expected_reimbursement
from priced
where contract_rank = 1
