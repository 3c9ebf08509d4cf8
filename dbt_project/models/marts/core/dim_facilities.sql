{#- One row per facility: its latest master-data version (the attributes the dashboards label
    and filter by), its zone, and whether the latest ERP extract still lists it. Facts keep the
    version valid at their event time (valid_at); this is the type-1 view for display. -#}
with facilities as (
    select * from {{ ref('int_facilities_versioned') }} where is_latest_version
)

, zones as (
    select * from {{ ref('facility_time_zones') }}
)

, network_zone as (
    select time_zone from zones where facility_code = '*'
)

select
    cast(facilities.facility_code as varchar) as facility_code
    , cast(facilities.facility_name as varchar) as facility_name
    , cast(facilities.npi as varchar) as npi
    , cast(facilities.legal_entity_code as varchar) as legal_entity_code
    , cast(facilities.facility_type as varchar) as facility_type
    , cast(facilities.region as varchar) as region
    , cast(facilities.cost_center_code as varchar) as cost_center_code
    , cast(coalesce(zones.time_zone, network_zone.time_zone) as varchar) as time_zone
    , cast(facilities.version_number as integer) as version_count
    , cast(facilities.valid_from as date) as current_since
    , cast(facilities.is_current as boolean) as is_listed_in_latest_extract
from facilities
cross join network_zone
left join zones
    on zones.facility_code = facilities.facility_code
