{#-
    Helpers of the canonical layer (models/intermediate). Plain SQL that DuckDB and PostgreSQL
    both run (window functions, `is not distinct from`, date + integer); anything
    adapter-specific goes through a dispatched macro here or in cross_db.sql.
-#}


{#-
    Slowly changing history of one ERP master-data entity, rebuilt from its append-only daily
    extracts (decision 0017): one row per version of a natural key.

    The extracts are full snapshots, so for each extract date of the entity a key is either
    present with some attribute values or absent. A version starts when the key first appears,
    when its attributes change, or when it re-appears after being absent from the previous
    extract; it ends at the first extract where it changed or is missing.

    valid_from = extract date where the version first appears; valid_to = the first extract date
    without it (exclusive; null = it is in the latest extract). A rebuild from raw gives the
    same history whatever order the extracts were landed in.
-#}
{% macro scd_versions(relation, key_columns, attribute_columns) -%}
{%- set keys = key_columns | join(', ') -%}
with extract_dates as (

    select distinct extract_date from {{ relation }}

)

, extract_sequence as (

    select
        extract_date
        , lag(extract_date) over (order by extract_date) as previous_extract_date
        , lead(extract_date) over (order by extract_date) as next_extract_date
    from extract_dates

)

, extract_rows as (

    -- one row per key and extract; a key listed twice in one extract: the last landed wins
    select
        {{ keys }}
        , {{ attribute_columns | join('\n        , ') }}
        , extract_date
        , record_key
        , {{ surrogate_key(attribute_columns) }} as attribute_hash
        , row_number() over (
            partition by {{ keys }}, extract_date
            order by received_at desc, record_key desc
        ) as duplicate_rank
    from {{ relation }}

)

, compared as (

    select
        extract_rows.*
        , extract_sequence.previous_extract_date
        , lag(extract_rows.extract_date) over (
            partition by {{ keys }} order by extract_rows.extract_date
        ) as key_previous_extract_date
        , lag(extract_rows.attribute_hash) over (
            partition by {{ keys }} order by extract_rows.extract_date
        ) as key_previous_attribute_hash
    from extract_rows
    inner join extract_sequence
        on extract_sequence.extract_date = extract_rows.extract_date
    where extract_rows.duplicate_rank = 1

)

, flagged as (

    select
        compared.*
        , case
            when key_previous_extract_date is null then 1
            -- absent from the extract before this one: deleted, then listed again
            when key_previous_extract_date <> previous_extract_date then 1
            when key_previous_attribute_hash <> attribute_hash then 1
            else 0
        end as starts_version
    from compared

)

, numbered as (

    select
        flagged.*
        , sum(starts_version) over (
            partition by {{ keys }}
            order by extract_date
            rows between unbounded preceding and current row
        ) as version_number
    from flagged

)

, version_spans as (

    select
        {{ keys }}
        , version_number
        , max(extract_date) as last_extract_date
        , count(*) as extract_count
    from numbered
    group by {{ keys }}, version_number

)

, latest_versions as (

    select
        {{ keys }}
        , max(version_number) as latest_version_number
    from version_spans
    group by {{ keys }}

)

, versions as (

    select
        {%- for column in key_columns %}
        numbered.{{ column }},
        {%- endfor %}
        {%- for column in attribute_columns %}
        numbered.{{ column }},
        {%- endfor %}
        numbered.version_number
        , numbered.extract_date as valid_from
        , ends.next_extract_date as valid_to
        , version_spans.last_extract_date
        , version_spans.extract_count
        , ends.next_extract_date is null as is_current
        , numbered.version_number = latest_versions.latest_version_number as is_latest_version
        , numbered.record_key as first_record_key
    from numbered
    inner join version_spans
        on {% for column in key_columns -%}
        version_spans.{{ column }} is not distinct from numbered.{{ column }}
        and {% endfor -%}
        version_spans.version_number = numbered.version_number
    inner join latest_versions
        on {% for column in key_columns -%}
        latest_versions.{{ column }} is not distinct from numbered.{{ column }}
        {%- if not loop.last %}
        and {% endif -%}
        {%- endfor %}
    inner join extract_sequence as ends
        on ends.extract_date = version_spans.last_extract_date
    where numbered.starts_version = 1

)

select
    {{ surrogate_key(key_columns + ['version_number']) }} as version_key
    , versions.*
from versions
{%- endmacro %}


{#-
    Join predicate: the version of `alias` (a *_versioned model) valid on `event_date`.
    An event dated before the key's first extract takes its first version (the earliest known
    state stands for the past; `known_at` tells the two cases apart); an event without a date
    takes the version in the latest extract.
-#}
{% macro valid_at(alias, event_date) -%}
(
    (
        {{ alias }}.valid_from <= coalesce({{ event_date }}, {{ alias }}.valid_from)
        or {{ alias }}.version_number = 1
    )
    and (
        {{ alias }}.valid_to is null
        or coalesce({{ event_date }}, {{ alias }}.valid_to) < {{ alias }}.valid_to
    )
)
{%- endmacro %}


{#- the master data of `alias` was extracted on or before `event_date` (known at event time) -#}
{% macro known_at(alias, event_date) -%}
    coalesce({{ alias }}.valid_from <= {{ event_date }}, false)
{%- endmacro %}


{#-
    Predicate: a code-set seed row (effective_from / effective_to, null = open) is in effect on
    `on_date`; a null date takes every row.
-#}
{% macro code_in_effect(alias, on_date) -%}
(
    ({{ alias }}.effective_from is null or {{ on_date }} is null or {{ on_date }} >= {{ alias }}.effective_from)
    and ({{ alias }}.effective_to is null or {{ on_date }} is null or {{ on_date }} <= {{ alias }}.effective_to)
)
{%- endmacro %}


{#- a date plus a whole number of days (date + integer on DuckDB and PostgreSQL) -#}
{% macro add_days_to_date(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days_to_date', 'hcops')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days_to_date(date_expr, days) -%}
    (cast({{ date_expr }} as date) + cast({{ days }} as integer))
{%- endmacro %}


{#- generic test: the versions of each natural key follow each other without overlapping -#}
{% test versions_do_not_overlap(model, key_columns) %}

with ordered as (

    select
        {{ key_columns | join(', ') }}
        , version_number
        , valid_from
        , valid_to
        , lead(valid_from) over (
            partition by {{ key_columns | join(', ') }} order by valid_from, version_number
        ) as next_valid_from
    from {{ model }}

)

select * from ordered
where (valid_to is not null and valid_to <= valid_from)
    or (next_valid_from is not null and (valid_to is null or next_valid_from < valid_to))

{% endtest %}


{#-
    generic test on 835 payments: BPR02 = Σ CLP04 − Σ PLB of the transaction (DESIGN §2);
    returns the payments that do not balance
-#}
{% test payment_balances_with_claims_and_provider_adjustments(model) %}

with claims as (

    select remittance_key, sum(paid_amount) as paid_amount
    from {{ ref('int_remittance_claims_classified') }}
    group by remittance_key

)

, provider_adjustments as (

    select remittance_key, sum(amount) as adjustment_amount
    from {{ ref('int_provider_adjustments_classified') }}
    group by remittance_key

)

select
    payments.remittance_key
    , payments.payment_amount
    , coalesce(claims.paid_amount, 0) - coalesce(provider_adjustments.adjustment_amount, 0) as expected_amount
from {{ model }} as payments
left join claims
    on claims.remittance_key = payments.remittance_key
left join provider_adjustments
    on provider_adjustments.remittance_key = payments.remittance_key
where payments.payment_amount
    <> coalesce(claims.paid_amount, 0) - coalesce(provider_adjustments.adjustment_amount, 0)

{% endtest %}
