{#-
    One row per landing batch (one file, MLLP message or FHIR page) with its conservation counts,
    in parsed items (records and dead letters): received = landed + duplicates + dead_lettered,
    and the messages that arrived in it (X12 transaction sets, HL7 messages, NDJSON lines, CSV
    rows, a BAI2 file; ingest.message_units, decision 0024): the integration failure rate's
    denominator. A batch landed before ingest counted messages shows its items instead.

    delivered_at = the arrival time (file mtime, socket arrival; decision 0014; rows landed before
    the column existed: the landing time). A batch that parses again a file content already
    landed under the same name (a replay, ingest.replay) is flagged: the integration-health marts
    count deliveries once and show replays apart.
-#}
{%- set landing_sources = [
    'hl7_siu', 'fhir', 'vendor_csv', 'x12_837', 'x12_999', 'x12_277', 'x12_835',
    'bai2', 'schedule_templates', 'patient_accounting', 'erp_master',
] -%}

with batches as (

    {% for landing_source in landing_sources -%}
    select * from {{ source('landing', 'landing_batches__' ~ landing_source) }}
    where source = '{{ landing_source }}'
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

, typed as (

    select
        batch_id
        , source
        , source_file
        , file_sha256
        , cast(file_bytes as bigint) as file_bytes
        , cast(received_at as timestamp) as landed_at
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
        , parser_version
        , cast(received as bigint) as received_items
        , cast(landed as bigint) as landed_items
        , cast(duplicates as bigint) as duplicate_items
        , cast(dead_lettered as bigint) as dead_lettered_items
        , cast(coalesce(messages_received, received) as bigint) as received_messages
        , row_number() over (
            partition by source, source_file, file_sha256
            order by received_at, batch_id
        ) as landing_sequence
    from batches

)

select
    batch_id
    , source
    , source_file
    , file_sha256
    , file_bytes
    , landed_at
    , delivered_at
    , cast(delivered_at as date) as delivered_date
    , parser_version
    , received_items
    , landed_items
    , duplicate_items
    , dead_lettered_items
    , received_messages
    , landing_sequence > 1 as is_replay
from typed
