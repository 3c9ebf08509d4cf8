{#-
    Integration health (DESIGN §4, §6) per source × UTC delivery day (decision 0013):

    - deliveries: batches landed for the first time, the messages that arrived in them (an X12
      transaction set, an HL7 message, an NDJSON line, a CSV row, a BAI2 file; duplicates and
      re-sent files included: decision 0024) and their conservation counts in parsed items
      (received = landed + duplicates + dead-lettered); replays of content already landed are
      counted apart (DESIGN §3: the health marts record the replay itself);
    - dead letters: distinct dead letters by the day of their first delivery (a malformed message
      delivered again is the same failure), and how many were re-driven since;
    - integration failure rate = dead letters / received messages (DESIGN §4);
    - transaction latency of the day's timed messages (fct_transaction_latencies): count, sum
      (for means) and the day's p50 / p95 in minutes (percentiles do not re-aggregate: take them
      over fct_transaction_latencies for other groupings).
-#}
with batches as (

    select * from {{ ref('stg_landing__batches') }}

)

, dead_letters as (

    select * from {{ ref('stg_landing__dead_letters') }}

)

, latencies as (

    select * from {{ ref('fct_transaction_latencies') }}

)

, delivery_days as (

    select
        source
        , delivered_date
        , count(*) filter (where not is_replay) as batches
        , sum(case when is_replay then 0 else received_messages end) as received_messages
        , sum(case when is_replay then 0 else received_items end) as received_items
        , sum(case when is_replay then 0 else landed_items end) as landed_items
        , sum(case when is_replay then 0 else duplicate_items end) as duplicate_items
        , sum(case when is_replay then 0 else dead_lettered_items end) as dead_lettered_items
        , count(*) filter (where is_replay) as replay_batches
        , sum(case when is_replay then received_items else 0 end) as replay_items
        , max(landed_at) as last_landed_at
    from batches
    group by source, delivered_date

)

, dead_letter_days as (

    select
        source
        , delivered_date
        , count(*) as dead_letters
        , count(*) filter (where is_resolved) as dead_letters_resolved
    from dead_letters
    group by source, delivered_date

)

, latency_days as (

    select
        source
        , delivered_date
        , count(*) as timed_messages
        , sum(latency_seconds) as latency_seconds_sum
        , {{ percentile_cont('cast(latency_seconds as float8)', 0.5) }} as latency_p50_seconds
        , {{ percentile_cont('cast(latency_seconds as float8)', 0.95) }} as latency_p95_seconds
    from latencies
    group by source, delivered_date

)

, keys as (

    select source, delivered_date from delivery_days
    union
    select source, delivered_date from dead_letter_days
    union
    select source, delivered_date from latency_days

)

select
    cast(keys.delivered_date as date) as kpi_date
    , cast(keys.source as varchar) as source
    , cast(coalesce(delivery_days.batches, 0) as bigint) as batches
    , cast(coalesce(delivery_days.received_messages, 0) as bigint) as received_messages
    , cast(coalesce(delivery_days.received_items, 0) as bigint) as received_items
    , cast(coalesce(delivery_days.landed_items, 0) as bigint) as landed_items
    , cast(coalesce(delivery_days.duplicate_items, 0) as bigint) as duplicate_items
    , cast(coalesce(delivery_days.dead_lettered_items, 0) as bigint) as dead_lettered_items
    , cast(coalesce(delivery_days.replay_batches, 0) as bigint) as replay_batches
    , cast(coalesce(delivery_days.replay_items, 0) as bigint) as replay_items
    , cast(coalesce(dead_letter_days.dead_letters, 0) as bigint) as dead_letters
    , cast(coalesce(dead_letter_days.dead_letters_resolved, 0) as bigint) as dead_letters_resolved
    , cast(coalesce(dead_letter_days.dead_letters, 0) as bigint) as integration_failure_numerator
    , cast(coalesce(delivery_days.received_messages, 0) as bigint) as integration_failure_denominator
    , cast({{ safe_divide('coalesce(dead_letter_days.dead_letters, 0)', 'delivery_days.received_messages') }} as float8)
        as integration_failure_rate
    , cast(coalesce(latency_days.timed_messages, 0) as bigint) as timed_messages
    , cast(coalesce(latency_days.latency_seconds_sum, 0) as decimal(18, 3)) as latency_seconds_sum
    , cast(latency_days.latency_p50_seconds / 60.0 as decimal(18, 4)) as latency_p50_minutes
    , cast(latency_days.latency_p95_seconds / 60.0 as decimal(18, 4)) as latency_p95_minutes
    , cast(delivery_days.last_landed_at as timestamp) as last_landed_at
from keys
left join delivery_days
    on delivery_days.source = keys.source
    and delivery_days.delivered_date = keys.delivered_date
left join dead_letter_days
    on dead_letter_days.source = keys.source
    and dead_letter_days.delivered_date = keys.delivered_date
left join latency_days
    on latency_days.source = keys.source
    and latency_days.delivered_date = keys.delivered_date
