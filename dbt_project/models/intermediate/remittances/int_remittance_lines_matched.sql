{{ config(unique_key='remittance_line_key') }}
{#-
    One row per 835 service line (SVC) with its line-level adjustments by CARC category and
    the 837 line it pays: the same line control number (REF*6R) on the claim's latest
    transmission sent on or before the adjudication (else any transmission of the claim).

    Incremental: the lines of the claim keys touched since the last build (int_claim_activity)
    or priced by a contract a new extract changed.
-#}
{%- set since = incremental_since() %}
{{ touched_claims_ctes(since, contracts_priced_in=ref('int_claim_lines_priced')) }}

, remittance_lines as (

    select * from {{ ref('stg_x12_835__remittance_lines') }}
    {{ where_touched('claim_key', since) }}

)

, remittance_claims as (

    select * from {{ ref('int_remittance_claims_classified') }}
    {{ where_touched('claim_key', since) }}

)

, adjustments as (

    select * from {{ ref('int_remittance_adjustments_categorized') }}
    where adjustment_level = 'line'
    {%- if since %}
        and claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, claim_lines as (

    select
        priced.*
        , transmissions.submission_date
        , transmissions.transmission_sequence
    from {{ ref('int_claim_lines_priced') }} as priced
    inner join {{ ref('int_claim_transmissions_acknowledged') }} as transmissions
        on transmissions.transmission_key = priced.transmission_key
    {%- if since %}
    where priced.claim_key in (select claim_key from touched_claims)
    {%- endif %}

)

, line_adjustments as (

    select
        remittance_claim_key
        , line_number
        , sum(amount) as adjustment_amount
        , sum(case when group_code = 'CO' and adjustment_category = 'contractual' then amount else 0 end)
            as contractual_adjustment_amount
        , sum(case when group_code = 'PR' then amount else 0 end) as patient_responsibility_amount
        , sum(case when adjustment_category = 'denial' then amount else 0 end) as denial_adjustment_amount
        , sum(case when adjustment_category = 'denial' then 1 else 0 end) as denial_adjustment_count
    from adjustments
    group by remittance_claim_key, line_number

)

, matched as (

    select
        remittance_lines.*
        , remittance_claims.claim_identity_key
        , remittance_claims.adjudication_date
        , claim_lines.line_key as claim_line_key
        , claim_lines.transmission_key
        , claim_lines.expected_reimbursement as line_expected_reimbursement
        , row_number() over (
            partition by remittance_lines.record_key
            order by
                case when claim_lines.submission_date <= remittance_claims.adjudication_date then 0 else 1 end
                , claim_lines.submission_date desc nulls last
                , claim_lines.transmission_sequence desc
        ) as match_rank
    from remittance_lines
    inner join remittance_claims
        on remittance_claims.remittance_claim_key = remittance_lines.remittance_claim_key
    left join claim_lines
        on claim_lines.claim_identity_key = remittance_claims.claim_identity_key
        and claim_lines.line_control_key = remittance_lines.line_control_key

)

select
    matched.record_key as remittance_line_key
    , matched.remittance_claim_key
    , matched.claim_identity_key
    , matched.claim_key
    , matched.line_number
    , matched.line_control_key
    , matched.procedure_code
    , matched.charge_amount
    , matched.paid_amount
    , matched.units
    , matched.service_date
    , matched.adjudication_date
    , matched.claim_line_key
    , matched.transmission_key
    , matched.line_expected_reimbursement
    , cast(coalesce(line_adjustments.adjustment_amount, 0) as decimal(18, 2)) as adjustment_amount
    , cast(coalesce(line_adjustments.contractual_adjustment_amount, 0) as decimal(18, 2))
        as contractual_adjustment_amount
    , cast(coalesce(line_adjustments.patient_responsibility_amount, 0) as decimal(18, 2))
        as patient_responsibility_amount
    , cast(coalesce(line_adjustments.denial_adjustment_amount, 0) as decimal(18, 2))
        as denial_adjustment_amount
    , coalesce(line_adjustments.denial_adjustment_count, 0) > 0 as is_line_denied
    , matched.remark_codes
    , matched.claim_index
    , matched.trace_number
    , matched.payer_trace_id
    , matched.received_at
from matched
left join line_adjustments
    on line_adjustments.remittance_claim_key = matched.remittance_claim_key
    and line_adjustments.line_number = matched.line_number
where matched.match_rank = 1
