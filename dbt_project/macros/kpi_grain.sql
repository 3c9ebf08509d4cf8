{#-
    The grain of the KPI marts (DESIGN §4, decision 0021): day × facility (with its legal
    entity) × service line × payer. The marts keep numerators and denominators at this grain so
    any filter re-aggregates correctly; the contracts type every dimension varchar.
-#}
{% macro kpi_grain_dimensions() -%}
    {{ return(['facility_code', 'legal_entity_code', 'service_line', 'payer_id', 'payer_name']) }}
{%- endmacro %}


{#- the grain's dimension columns, continuing a comma-first list (`prefix`: a table alias and dot) -#}
{% macro kpi_grain_columns(prefix='') -%}
    {%- for dimension in kpi_grain_dimensions() %}
        , {{ prefix }}{{ dimension }}
    {%- endfor %}
{%- endmacro %}


{#- the grain's dimensions with their contract type, continuing a comma-first select list -#}
{% macro kpi_grain_typed_columns(prefix='') -%}
    {%- for dimension in kpi_grain_dimensions() %}
    , cast({{ prefix }}{{ dimension }} as varchar) as {{ dimension }}
    {%- endfor %}
{%- endmacro %}


{#-
    The tail of a KPI mart: a CTE `aggregated` grouping the rows of `source` (a CTE) by
    `date_column` (as `period_column`: kpi_date, a date; kpi_month for the monthly marts), the
    grain's dimensions and `extra_dimensions` (varchar), then the final select casting every
    column to its contract type.

    `measures`, in output order: {'name', 'aggregate', 'type'} for an aggregate over the source
    rows, optionally with 'expression' (over the aggregated columns) for the output value; or
    {'name', 'expression', 'type'} for a column computed from other measures only.
-#}
{% macro kpi_grain_rollup(source, date_column, measures, extra_dimensions=[], period_column='kpi_date') -%}
, aggregated as (

    select
        {{ date_column }} as {{ period_column }}
        {{- kpi_grain_columns() }}
        {%- for dimension in extra_dimensions %}
        , {{ dimension }}
        {%- endfor %}
        {%- for measure in measures if measure.aggregate is defined %}
        , {{ measure.aggregate }} as {{ measure.name }}
        {%- endfor %}
    from {{ source }}
    group by
        {{ date_column }}
        {{- kpi_grain_columns() }}
        {%- for dimension in extra_dimensions %}
        , {{ dimension }}
        {%- endfor %}

)

select
    cast({{ period_column }} as date) as {{ period_column }}
    {{- kpi_grain_typed_columns() }}
    {%- for dimension in extra_dimensions %}
    , cast({{ dimension }} as varchar) as {{ dimension }}
    {%- endfor %}
    {%- for measure in measures %}
    {%- set value = measure.expression if measure.expression is defined else measure.name %}
    , cast({{ value }} as {{ measure.type }}) as {{ measure.name }}
    {%- endfor %}
from aggregated
{%- endmacro %}
