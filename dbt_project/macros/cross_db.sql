{#-
    Cross-database helpers: every model calls these instead of dialect functions so the same
    SQL runs on DuckDB (default) and PostgreSQL (dispatch on adapter type).
-#}

{#-
    keyed pseudonym of an identifier (DESIGN §7): lower-case hex md5(pseudonym_key || value);
    null stays null. Python side (claim lookup): hashlib.md5((key + value).encode()).hexdigest().
-#}
{% macro pseudonymize(expr) -%}
    {{ return(adapter.dispatch('pseudonymize', 'hcops')(expr)) }}
{%- endmacro %}

{% macro default__pseudonymize(expr) -%}
    case when {{ expr }} is null then null
         else md5('{{ var("pseudonym_key") }}' || cast({{ expr }} as varchar)) end
{%- endmacro %}


{#- text value of a top-level field of a JSON object stored as text; '' becomes null -#}
{% macro json_text(col, field) -%}
    {{ return(adapter.dispatch('json_text', 'hcops')(col, field)) }}
{%- endmacro %}

{% macro default__json_text(col, field) -%}
    nullif(trim(json_extract_string({{ col }}, '$.{{ field }}')), '')
{%- endmacro %}

{% macro postgres__json_text(col, field) -%}
    nullif(trim(cast({{ col }} as json) ->> '{{ field }}'), '')
{%- endmacro %}


{#- whole days from start_date to end_date (end - start), both dates -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'hcops')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    (cast({{ end_date }} as date) - cast({{ start_date }} as date))
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    date_diff('day', cast({{ start_date }} as date), cast({{ end_date }} as date))
{%- endmacro %}


{#- continuous percentile (linear interpolation) of an aggregate group -#}
{% macro percentile_cont(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'hcops')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}


{#- median = continuous 50th percentile (an even count averages the two middle values) -#}
{% macro median(expr) -%}
    {{ percentile_cont(expr, 0.5) }}
{%- endmacro %}


{#- deterministic surrogate key from several columns (nulls as empty strings) -#}
{% macro surrogate_key(columns) -%}
    md5(
    {%- for column in columns %}
        coalesce(cast({{ column }} as varchar), '')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor %}
    )
{%- endmacro %}
