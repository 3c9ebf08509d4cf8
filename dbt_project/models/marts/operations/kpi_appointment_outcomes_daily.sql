{#-
    No-show and cancellation rates (DESIGN §4) by appointment day × facility × service line ×
    department × provider, numerators and denominators kept so any filter re-aggregates:
    no-show rate = no-shows / (completed + no-shows); cancellation rate = cancellations /
    appointments booked (every appointment, whatever became of it).
-#}
with appointments as (

    select * from {{ ref('fct_appointments') }}

)

, aggregated as (

    select
        appointment_date
        , facility_code
        , is_facility_mapped
        , legal_entity_code
        , service_line
        , department
        , provider_npi
        , count(*) as appointments_booked
        , count(*) filter (where is_completed) as appointments_completed
        , count(*) filter (where is_no_show) as appointments_no_show
        , count(*) filter (where is_cancelled) as appointments_cancelled
        , count(*) filter (where not (is_completed or is_no_show or is_cancelled)) as appointments_open
        , sum(occupied_minutes) as occupied_minutes
    from appointments
    group by
        appointment_date
        , facility_code
        , is_facility_mapped
        , legal_entity_code
        , service_line
        , department
        , provider_npi

)

select
    cast(appointment_date as date) as kpi_date
    , cast(facility_code as varchar) as facility_code
    , cast(is_facility_mapped as boolean) as is_facility_mapped
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(service_line as varchar) as service_line
    , cast(department as varchar) as department
    , cast(provider_npi as varchar) as provider_npi
    , cast(appointments_booked as bigint) as appointments_booked
    , cast(appointments_completed as bigint) as appointments_completed
    , cast(appointments_no_show as bigint) as appointments_no_show
    , cast(appointments_cancelled as bigint) as appointments_cancelled
    , cast(appointments_open as bigint) as appointments_open
    , cast(appointments_no_show as bigint) as no_show_rate_numerator
    , cast(appointments_completed + appointments_no_show as bigint) as no_show_rate_denominator
    , cast({{ safe_divide('appointments_no_show', 'appointments_completed + appointments_no_show') }} as float8)
        as no_show_rate
    , cast(appointments_cancelled as bigint) as cancellation_rate_numerator
    , cast(appointments_booked as bigint) as cancellation_rate_denominator
    , cast({{ safe_divide('appointments_cancelled', 'appointments_booked') }} as float8) as cancellation_rate
    , cast(occupied_minutes as bigint) as occupied_minutes
from aggregated
