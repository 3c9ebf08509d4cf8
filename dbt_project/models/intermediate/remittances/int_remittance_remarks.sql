{{ config(unique_key='claim_key') }}
{#-
    One row per remark code (RARC) of an 835: the claim's (MOA03-07 / MIA05, MIA20-24) and each
    line's (LQ*HE), split from the comma-separated lists the reader lands (decision 0032), with
    the seed rarc_codes row in effect on the payment date (BPR16, else DTM*405).

    Incremental: every remark of the claim keys touched since the last build
    (int_claim_activity), re-derived together (delete+insert on claim_key).
-#}
{#- positions read from a list: an MOA has 5 codes, an MIA 6; a line rarely more than a few -#}
{%- set max_codes = 20 %}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, remittance_claims as (

    select * from {{ ref('stg_x12_835__remittance_claims') }}
    {{ where_touched('claim_key', since) }}

)

, remittance_lines as (

    select * from {{ ref('stg_x12_835__remittance_lines') }}
    {{ where_touched('claim_key', since) }}

)

, positions as (

    {% for n in range(1, max_codes + 1) -%}
    select {{ n }} as remark_index{% if not loop.last %} union all {% endif %}
    {% endfor %}

)

, listed as (

    select
        remittance_claim_key
        , cast(null as varchar) as remittance_line_key
        , claim_key
        , 'claim' as remark_level
        , cast(null as integer) as line_number
        , remark_codes
        , received_at
    from remittance_claims
    where remark_codes is not null

    union all

    select
        remittance_claim_key
        , record_key as remittance_line_key
        , claim_key
        , 'line' as remark_level
        , line_number
        , remark_codes
        , received_at
    from remittance_lines
    where remark_codes is not null

)

, split as (

    select
        listed.*
        , positions.remark_index
        , trim(split_part(listed.remark_codes, ',', positions.remark_index)) as remark_code
    from listed
    inner join positions
        on positions.remark_index <= 1 + length(listed.remark_codes) - length(replace(listed.remark_codes, ',', ''))

)

, dated as (

    select
        split.*
        , remittance_claims.payer_id
        , coalesce(remittance_claims.payment_date, remittance_claims.production_date) as payment_date
        , remittance_claims.claim_index
        , remittance_claims.trace_number
        , remittance_claims.payer_trace_id
    from split
    inner join remittance_claims
        on remittance_claims.remittance_claim_key = split.remittance_claim_key
    where split.remark_code <> ''

)

select
    {{ surrogate_key(['dated.remittance_claim_key', 'dated.line_number', 'dated.remark_index']) }} as remark_key
    , dated.remittance_claim_key
    , dated.remittance_line_key
    , dated.claim_key
    , dated.payer_id
    , dated.remark_level
    , dated.line_number
    , dated.remark_index
    , dated.remark_code
    , rarc_codes.description as remark_description
    , rarc_codes.effective_from as remark_effective_from
    , rarc_codes.effective_to as remark_effective_to
    , rarc_codes.rarc is not null as is_known_remark_code
    , dated.payment_date
    , dated.claim_index
    , dated.trace_number
    , dated.payer_trace_id
    , dated.received_at
from dated
left join {{ ref('rarc_codes') }} as rarc_codes
    on rarc_codes.rarc = dated.remark_code
    and {{ code_in_effect('rarc_codes', 'dated.payment_date') }}
