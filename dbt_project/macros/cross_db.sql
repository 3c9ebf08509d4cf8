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

{#- DuckDB's quantile_cont interpolates as lo * (1 - d) + hi * d, PostgreSQL's percentile_cont
    as lo + (hi - lo) * d (float8): equal in exact arithmetic, not always in the last bit. Here
    PostgreSQL's formula on DuckDB, over the sorted non-null values as doubles, so both engines
    give the same double (test_postgres_portability compares them exactly). -#}
{% macro duckdb__percentile_cont(expr, fraction) -%}
    {%- set sorted = "list_sort(list(cast(" ~ expr ~ " as double)) filter (where (" ~ expr ~ ") is not null))" -%}
    {%- set position = "(cast(" ~ fraction ~ " as double) * (count(" ~ expr ~ ") - 1))" -%}
    ({{ sorted }}[cast(floor({{ position }}) as bigint) + 1]
        + ({{ sorted }}[cast(ceil({{ position }}) as bigint) + 1]
            - {{ sorted }}[cast(floor({{ position }}) as bigint) + 1])
        * ({{ position }} - floor({{ position }})))
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


{#-
    post-hook of every model (dbt_project.yml): fresh planner statistics for the table just
    built. PostgreSQL leaves a CREATE TABLE AS unanalyzed until autovacuum comes by, so the next
    model's joins were planned blind (int_appointments_sequenced: nested loops, 2.6 s instead of
    under 0.3 s on 2 facilities x 60 days); DuckDB keeps its statistics itself.
-#}
{% macro analyze_relation(relation) -%}
    {{ return(adapter.dispatch('analyze_relation', 'hcops')(relation)) }}
{%- endmacro %}

{% macro default__analyze_relation(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_relation(relation) -%}
    analyze {{ relation }}
{%- endmacro %}


{#-
    numerator / denominator as float8, null when the denominator is 0 or null. Never a bare `/`
    between integers: DuckDB gives 3.5 for 7 / 2, PostgreSQL truncates to 3.
-#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as float8) / nullif(cast({{ denominator }} as float8), 0))
{%- endmacro %}


{#-
    first day of the day / week / month / quarter / year of a date or timestamp, as a date.
    date_trunc of a bare date returns a timestamp on DuckDB but a timestamptz (in the session
    time zone) on PostgreSQL; truncating a timestamp gives a timestamp on both.
-#}
{% macro truncate_date(part, expr) -%}
    cast(date_trunc('{{ part }}', cast({{ expr }} as timestamp)) as date)
{%- endmacro %}


{#-
    seconds from start_ts to end_ts (fractional, float8). DuckDB's date_diff('second', ...)
    counts boundaries; extract(epoch ...) of an interval is numeric on PostgreSQL, double on
    DuckDB: the cast makes both float8.
-#}
{% macro seconds_between(start_ts, end_ts) -%}
    cast(extract(epoch from (cast({{ end_ts }} as timestamp) - cast({{ start_ts }} as timestamp))) as float8)
{%- endmacro %}


{#-
    on-run-start (dbt_project.yml): PostgreSQL must compare text byte by byte, as DuckDB does,
    or tie-breaks on text (row_number ... order by message_control_id), min / max of text and
    string_agg order differ between the engines. Create the database with LC_COLLATE 'C'
    (decision 0020); DuckDB: nothing to check.
-#}
{% macro assert_byte_order_collation() -%}
    {{ return(adapter.dispatch('assert_byte_order_collation', 'hcops')()) }}
{%- endmacro %}

{% macro default__assert_byte_order_collation() -%}
{%- endmacro %}

{% macro postgres__assert_byte_order_collation() -%}
    {#- by behaviour, not by name: libc and ICU providers, every PostgreSQL version -#}
    do $$
    begin
        if not ('B' < 'Z' and 'Z' < '_' and '_' < 'a' and 'a' < 'b') then
            raise exception 'hcops: database % must compare text in byte order (LC_COLLATE C, as '
                'DuckDB): create database ... template template0 lc_collate ''C'' (decision 0020)',
                current_database();
        end if;
    end
    $$
{%- endmacro %}
