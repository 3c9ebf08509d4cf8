{#-
    Deprecated: the current version per facility_code, kept under its issue-2 name because
    marts/kpis/_kpis.yml tests fct_claims.facility_code against it. New models join
    int_facilities_versioned valid at event time (decision 0017).
-#}
select
    facility_code
    , facility_name
    , npi
    , legal_entity_code
    , facility_type
    , region
    , cost_center_code
    , last_extract_date as extract_date
from {{ ref('int_facilities_versioned') }}
where is_latest_version
