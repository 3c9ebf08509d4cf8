{#- One row per rendering provider (NPI): its latest master-data version. -#}
with providers as (
    select * from {{ ref('int_providers_versioned') }} where is_latest_version
)

select
    cast(provider_npi as varchar) as provider_npi
    , cast(provider_name as varchar) as provider_name
    , cast(specialty as varchar) as specialty
    , cast(facility_code as varchar) as facility_code
    , cast(version_number as integer) as version_count
    , cast(valid_from as date) as current_since
    , cast(is_current as boolean) as is_listed_in_latest_extract
from providers
