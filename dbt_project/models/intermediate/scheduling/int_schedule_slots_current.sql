{{ config(unique_key='slot_key') }}
{#-
    One row per FHIR Slot as its latest version says (latest meta.lastUpdated, then versionId,
    then landing), with the provider and location of its Schedule as of the slot (the latest
    Schedule version whose planning horizon holds the slot's start, else the Schedule's latest
    version) and the slot's day in the facility's zone (decision 0028): the capacity a
    FHIR-feed facility publishes, next to the schedule templates (kpi_schedule_occupancy_daily).

    Incremental: the slots with a version landed since the last build, the slots a Schedule
    version landed since covers (its horizon; every slot of the Schedule when the version
    states no horizon), and the Schedule's slots no horizon holds.
-#}
{%- set since = incremental_since() %}
with schedules as (

    select * from {{ ref('stg_fhir__schedules') }}

)

, slots as (

    select * from {{ ref('stg_fhir__slots') }}

)
{%- if since %}

, touched_slots as (

    select slot_key from slots where received_at >= {{ since }}

    union

    select slots.slot_key
    from slots
    inner join schedules
        on schedules.schedule_id = slots.schedule_id
        and schedules.received_at >= {{ since }}
        and (schedules.horizon_start is null or slots.start_time >= schedules.horizon_start)
        and (schedules.horizon_end is null or slots.start_time < schedules.horizon_end)

    union

    -- a slot no horizon holds takes the Schedule's latest version, which a new version replaces
    select slots.slot_key
    from slots
    where slots.schedule_id in (select schedule_id from schedules where received_at >= {{ since }})
        and not exists (
            select 1 from schedules
            where schedules.schedule_id = slots.schedule_id
                and (schedules.horizon_start is null or slots.start_time >= schedules.horizon_start)
                and (schedules.horizon_end is null or slots.start_time < schedules.horizon_end)
        )

)
{%- endif %}

, slot_versions as (

    select
        slots.*
        , count(*) over (partition by slot_key) as version_count
        , row_number() over (
            partition by slot_key
            order by last_updated desc nulls last, version_id desc nulls last,
                received_at desc, record_key desc
        ) as reverse_version
    from slots
    {{ where_touched('slot_key', since, 'touched_slots', 'slot_key') }}

)

, latest_slots as (

    select * from slot_versions
    where reverse_version = 1

)

, slot_schedules as (

    -- the Schedule version of the slot: one whose horizon holds its start, latest first
    select
        latest_slots.slot_key
        , schedules.provider_npi
        , schedules.location_code
        , schedules.active
        , row_number() over (
            partition by latest_slots.slot_key
            order by
                case
                    when (schedules.horizon_start is null or latest_slots.start_time >= schedules.horizon_start)
                        and (schedules.horizon_end is null or latest_slots.start_time < schedules.horizon_end)
                    then 0 else 1
                end
                , schedules.last_updated desc nulls last, schedules.version_id desc nulls last
                , schedules.received_at desc, schedules.record_key desc
        ) as schedule_rank
    from latest_slots
    inner join schedules
        on schedules.schedule_id = latest_slots.schedule_id

)

, zones as (

    select facility_code, time_zone from {{ ref('facility_time_zones') }}

)

, current_slots as (

    select
        slot_versions.slot_key
        , slot_versions.schedule_id
        , slot_versions.status
        , slot_versions.start_time
        , slot_versions.end_time
        , slot_versions.duration_minutes
        , slot_versions.overbooked
        , slot_versions.service_code
        , slot_versions.facility_code
        , slot_schedules.provider_npi
        , slot_schedules.location_code
        , slot_schedules.active as is_schedule_active
        , coalesce(facility_zones.time_zone, default_zone.time_zone) as time_zone
        , slot_versions.version_id
        , slot_versions.last_updated
        , slot_versions.version_count
        , slot_versions.batch_id
        , slot_versions.received_at
    from latest_slots as slot_versions
    left join slot_schedules
        on slot_schedules.slot_key = slot_versions.slot_key
        and slot_schedules.schedule_rank = 1
    left join zones as facility_zones
        on facility_zones.facility_code = slot_versions.facility_code
    left join zones as default_zone
        on default_zone.facility_code = '*'

)

select
    current_slots.*
    , {{ local_date('start_time', 'time_zone') }} as slot_date
    -- bookable capacity: free or booked; busy-unavailable is blocked time, entered-in-error none
    , status in ('free', 'busy', 'busy-tentative') as is_capacity
    , status in ('busy', 'busy-tentative') as is_booked
from current_slots
