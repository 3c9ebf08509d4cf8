{#-
    Transaction latency (DESIGN §4) at the message grain: one row per landed source message that
    states its source event time, latency = arrival (delivered_at) - source event time, both UTC.
    p50 / p95 per source (or any filter) are continuous percentiles over these rows.
-#}
select
    cast(message_key as varchar) as message_key
    , cast(source as varchar) as source
    , cast(message_kind as varchar) as message_kind
    , cast(batch_id as varchar) as batch_id
    , cast(delivered_date as date) as delivered_date
    , cast(delivered_at as timestamp) as delivered_at
    , cast(source_event_at_utc as timestamp) as source_event_at
    , cast(latency_seconds as decimal(18, 3)) as latency_seconds
from {{ ref('stg_landing__message_latencies') }}
