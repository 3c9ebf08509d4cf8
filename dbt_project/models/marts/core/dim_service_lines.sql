{#- One row per service line: the grouping of the service catalog the KPI marts slice by, with
    the number of services (latest versions) it holds. -#}
with services as (
    select * from {{ ref('int_services_versioned') }} where is_latest_version
)

select
    cast(service_line as varchar) as service_line
    , cast(count(*) as integer) as services
    , cast(sum(case when is_current then 1 else 0 end) as integer) as services_listed_in_latest_extract
from services
where service_line is not null
group by service_line
