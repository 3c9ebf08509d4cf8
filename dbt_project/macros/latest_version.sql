{#-
    Current version of a master-data entity: the row of the latest extract date per natural key.
    The extract_date stays on the row so slowly changing history can be built later.
-#}
{% macro latest_version(relation, key_columns, columns) -%}
with ranked as (

    select
        {{ columns | join('\n        , ') }}
        , extract_date
        , record_key
        , row_number() over (
            partition by {{ key_columns | join(', ') }}
            -- nulls last spelled out: the DuckDB default, not PostgreSQL's for desc
            order by extract_date desc nulls last, record_key desc
        ) as version_rank
    from {{ relation }}

)

select
    {{ columns | join('\n    , ') }}
    , extract_date
from ranked
where version_rank = 1
{%- endmacro %}
