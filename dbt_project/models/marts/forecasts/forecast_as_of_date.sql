{#-
    The cut-off of the forecast feed (one row): var('forecast_as_of') when set (a backtest
    re-runs the feed as of an earlier day), else the as-of date of the KPI marts
    (kpi_as_of_date). Every forecast model sees only what was known on this day.
-#}
{%- set forecast_as_of = var('forecast_as_of', none) %}

select
    {%- if forecast_as_of %}
    cast('{{ forecast_as_of }}' as date) as as_of_date
    {%- else %}
    cast(as_of_date as date) as as_of_date
    {%- endif %}
    , cast('{{ var("forecast_model_version", "forecast-v1") }}' as varchar) as model_version
from {{ ref('kpi_as_of_date') }}
