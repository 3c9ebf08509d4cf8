{#-
    One row per dead letter (ingest keys it by source and payload, so a malformed message
    delivered again is the same dead letter with one more attempt). The payload and the
    reason text stay in raw: a payload holds clear identifiers and a reason quotes pieces of it
    (DESIGN §7). delivered_at = arrival of its first delivery.
-#}
{%- set landing_sources = [
    'hl7_siu', 'fhir', 'vendor_csv', 'x12_837', 'x12_999', 'x12_277', 'x12_835',
    'bai2', 'schedule_templates', 'patient_accounting', 'erp_master',
] -%}

with dead_letters as (

    {% for landing_source in landing_sources -%}
    select * from {{ source('landing', 'dead_letters__' ~ landing_source) }}
    where source = '{{ landing_source }}'
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select
    dead_letter_key
    , batch_id
    , source
    , source_file
    , cast(item_index as bigint) as item_index
    , error_class
    , parser_version
    , cast(first_seen_at as timestamp) as first_seen_at
    , cast(last_seen_at as timestamp) as last_seen_at
    , cast(attempts as integer) as attempts
    , cast(coalesce(delivered_at, first_seen_at) as timestamp) as delivered_at
    , cast(coalesce(delivered_at, first_seen_at) as date) as delivered_date
    , cast(resolved_at as timestamp) as resolved_at
    , resolved_by_parser_version
    , resolved_at is not null as is_resolved
from dead_letters
