{#-
    Incremental builds on landing time (decision 0025).

    Raw tables are append-only and every row carries `received_at`, the time it was landed
    (monotonic: one writer lands at a time, PostgreSQL gets raw by one atomic copy). Event dates
    are never a watermark: a late or out-of-order event has an old event date but a new landing
    time.

    - staging models take the raw rows landed after the latest landing time they hold, and the
      rows of that instant they lack (`landed_since_last_build`), keyed by record key;
    - intermediate models re-derive every row of the keys that events landed at or after their
      watermark touch (the last instant again: ties lose nothing, re-deriving is idempotent).
      The watermark is the latest landing time of the model's inputs at its last build, kept
      per model in incremental_state.model_watermarks (`incremental_since` reads it at compile
      time, `record_landing_watermark` writes it in the model's transaction). No watermark
      (first build, --full-refresh, a lost state table): the model derives everything.
    - which keys: int_claim_activity (claim / visit keys and the latest landing time of
      anything that re-decides them) and int_master_data_changes (dates and keys whose
      master-data version changed with an extract landed since).
-#}

{% macro watermark_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema='incremental_state', identifier='model_watermarks')) }}
{%- endmacro %}


{#- a timestamp as a portable SQL literal -#}
{% macro timestamp_literal(value) -%}
    cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{#-
    The landing time this incremental model was built through, as a SQL literal; none when the
    model derives everything (parsing, first build, --full-refresh, no recorded watermark).
-#}
{% macro incremental_since() -%}
    {#- unit tests render models without a relation of their own (`this`) -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = watermark_relation() -%}
    {%- if adapter.get_relation(stored.database, stored.schema, stored.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select max(landed_through) from " ~ stored ~ " where model_name = '" ~ this.identifier ~ "'") -%}
    {%- set landed_through = found.columns[0].values()[0] -%}
    {%- if landed_through is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(timestamp_literal(landed_through)) }}
{%- endmacro %}


{#-
    post-hook of the incremental intermediate models (dbt_project.yml): record the latest
    landing time of the model's inputs as they were read, inside the model's transaction, so
    the data and its watermark commit together. Inputs: staging models (received_at),
    int_claim_activity (last_landed_at), int_master_data_changes (landed_at).
-#}
{% macro record_landing_watermark() -%}
    {%- if not execute or model.config.materialized != 'incremental' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set horizons = [] -%}
    {%- for node_id in model.depends_on.nodes -%}
        {%- set parent = graph.nodes.get(node_id) -%}
        {%- if parent is not none and parent.resource_type == 'model' -%}
            {%- set column = landing_time_column(parent.name) -%}
            {%- if column -%}
                {%- do horizons.append('select max(' ~ column ~ ') as landed_through from ' ~ ref(parent.name)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not horizons -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ': an incremental intermediate model needs a staging, int_claim_activity or '
            ~ 'int_master_data_changes input to take its landing watermark from') }}
    {%- endif -%}
    {%- set stored = watermark_relation() -%}
    {{ lock_watermarks() }}
    create schema if not exists {{ stored.schema }};
    create table if not exists {{ stored }} (model_name varchar(255), landed_through timestamp);
    delete from {{ stored }} where model_name = '{{ this.identifier }}';
    insert into {{ stored }} (model_name, landed_through)
    select '{{ this.identifier }}', max(landed_through)
    from (
        {{ horizons | join('\n        union all\n        ') }}
    ) as horizons
{%- endmacro %}


{#- the landing-time column of an input model, or none when it has none -#}
{% macro landing_time_column(model_name) -%}
    {%- if model_name.startswith('stg_') -%}
        {{ return('received_at') }}
    {%- elif model_name == 'int_claim_activity' -%}
        {{ return('last_landed_at') }}
    {%- elif model_name == 'int_master_data_changes' -%}
        {{ return('landed_at') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#-
    PostgreSQL builds models on several threads: the first builds would race to create the
    state table (CREATE ... IF NOT EXISTS is not safe between open transactions). A transaction
    lock serializes the few statements at the end of each model; DuckDB has one writer.
-#}
{% macro lock_watermarks() -%}
    {{ return(adapter.dispatch('lock_watermarks', 'hcops')()) }}
{%- endmacro %}

{% macro default__lock_watermarks() -%}
{%- endmacro %}

{% macro postgres__lock_watermarks() -%}
    select pg_advisory_xact_lock(hashtext('hcops.incremental_state.model_watermarks'));
{%- endmacro %}


{#-
    Staging filter: the raw rows landed after the latest landing time already staged, and the
    rows of that instant not staged yet (two batches may share a landing time); all rows on a
    first build or a --full-refresh, or while the table is empty. The latest landing time is
    read at compile time, so the compiled SQL shows what a run read. `prefix`: `and` after a
    where clause of the source.
-#}
{% macro landed_since_last_build(prefix='where') -%}
    {%- if execute and is_incremental() -%}
        {%- set found = run_query('select max(received_at) from ' ~ this) -%}
        {%- set latest = found.columns[0].values()[0] -%}
        {%- if latest is not none %}
    {{ prefix }} (
        received_at > {{ timestamp_literal(latest) }}
        or (
            received_at = {{ timestamp_literal(latest) }}
            and record_key not in (
                select record_key from {{ this }} where received_at = {{ timestamp_literal(latest) }}
            )
        )
    )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The claim keys (= visit keys) that events landed since `since` touch (int_claim_activity).
    The ref is taken in every mode, so dbt knows the dependency; the CTE is only read when
    `since` is set.
-#}
{% macro claims_touched_since(since) -%}
    select claim_key
    from {{ ref('int_claim_activity') }}
    {%- if since %}
    where last_landed_at >= {{ since }}
    {%- endif %}
{%- endmacro %}


{#- `where <column> in (select <key> from <cte>)` when incremental, else nothing -#}
{% macro where_touched(column, since, cte='touched_claims', key='claim_key') -%}
    {%- if since -%}
    where {{ column }} in (select {{ key }} from {{ cte }})
    {%- endif -%}
{%- endmacro %}


{#-
    The master-data changes landed since `since` (int_master_data_changes): windows of event
    dates for every key, and keys first listed by a new extract for every date. Taken in every
    mode (the dependency), read only when `since` is set.
-#}
{% macro master_data_changes_since(since) -%}
    select master_entity, join_column, join_value, changed_from, changed_to
    from {{ ref('int_master_data_changes') }}
    {%- if since %}
    where landed_at >= {{ since }}
    {%- endif %}
{%- endmacro %}


{#-
    Predicate on a fact of {{ this }}: a master-data change (rows of the `changes` CTE) alters
    the version its join on `value_expr` at `date_expr` finds. A window [changed_from,
    changed_to) holds every key on those dates (a date-less fact takes the latest versions,
    changed by the open window); a key first listed holds every date. `null_matches`: a fact
    without a value (a lookup that found nothing before) may find the new key.
-#}
{% macro master_data_changed(entity, join_column, value_expr, date_expr, null_matches=false) -%}
exists (
    select 1 from master_changes
    where master_changes.master_entity = '{{ entity }}'
        and (
            (
                master_changes.join_column is null
                and (
                    ({{ date_expr }} is null and master_changes.changed_to is null)
                    or (
                        {{ date_expr }} >= master_changes.changed_from
                        and (master_changes.changed_to is null or {{ date_expr }} < master_changes.changed_to)
                    )
                )
            )
            or (
                master_changes.join_column = '{{ join_column }}'
                and (
                    master_changes.join_value = cast({{ value_expr }} as varchar)
                    {%- if null_matches %}
                    or {{ value_expr }} is null
                    {%- endif %}
                )
            )
        )
)
{%- endmacro %}


{#-
    The claim keys priced with a (payer, procedure) contract that changed (rows of the
    `master_changes` CTE): their expected reimbursement moves. `priced_lines`: the priced lines
    read (int_claim_lines_priced, or its own rows for that model).
-#}
{% macro claims_with_changed_contracts(priced_lines=none) -%}
    select priced_lines.claim_key
    from {{ priced_lines if priced_lines is not none else ref('int_claim_lines_priced') }} as priced_lines
    inner join master_changes
        on master_changes.master_entity = 'payer_contracts'
        and master_changes.join_value = priced_lines.payer_id || '|' || priced_lines.procedure_code
{%- endmacro %}
