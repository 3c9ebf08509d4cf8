{#- One row per payer: its latest master-data version (type-1 view for display; facts keep the
    version valid at their event time). -#}
with payers as (
    select * from {{ ref('int_payers_versioned') }} where is_latest_version
)

select
    cast(payer_id as varchar) as payer_id
    , cast(payer_name as varchar) as payer_name
    , cast(payer_type as varchar) as payer_type
    , cast(party_code as varchar) as party_code
    , cast(version_number as integer) as version_count
    , cast(valid_from as date) as current_since
    , cast(is_current as boolean) as is_listed_in_latest_extract
from payers
