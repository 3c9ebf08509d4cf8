{#-
    One row per encounter = visit / account number (PV1-19, the FHIR identifier, the CSV column;
    = CLM01 of its claims, DESIGN §2): the visit's appointment, its claims, and where it
    happened with the cost center it books to (cost-center enrichment).

    - appointment: a kept one before a cancelled one, then the earliest booked (as fct_claims);
    - completed (DESIGN §4): the appointment is complete / arrived / fulfilled, or the visit was
      billed;
    - service date: the appointment's local start date (facility zone, decision 0028), else the
      claim's first date of service; times stay naive UTC;
    - department: the appointment's location when it names a department of the facility (SIU
      AIL-3.1), else the department of its room in the location master; cost center = the
      department's on the service date (master-data version valid then), else the facility's.

    Incremental: the visits of int_claim_activity touched since the last build (their
    appointments and claims) and those a master-data change reaches; a post-hook deletes a visit
    left without appointment and claim (an appointment moved to another visit number).
-#}
{{ config(
    unique_key='visit_key',
    post_hook="
        delete from {{ this }}
        where claim_count = 0
            and visit_key not in (
                select visit_key from {{ ref('int_appointments_sequenced') }} where visit_key is not null
            )",
) }}
{%- set since = incremental_since() %}
with touched_claims as (

    {{ claims_touched_since(since) }}

)

, master_changes as (

    {{ master_data_changes_since(since) }}

)
{%- if since %}

, touched_visits as (

    select claim_key as visit_key from touched_claims

    union

    select encounters.visit_key
    from {{ this }} as encounters
    where {{ master_data_changed('facilities', 'facility_code', 'encounters.facility_code', 'encounters.service_date', null_matches=true) }}
        or {{ master_data_changed('departments', 'facility_code', 'encounters.facility_code', 'encounters.service_date') }}
        or {{ master_data_changed('locations', 'location_code', 'encounters.location_code', 'encounters.service_date') }}
        or {{ master_data_changed('cost_centers', 'cost_center_code', 'encounters.cost_center_code', 'encounters.service_date') }}
        -- a new department of the facility of the visit's room (the room's department)
        or encounters.location_code in (
            select rooms.location_code
            from {{ ref('int_locations_versioned') }} as rooms
            inner join master_changes
                on master_changes.master_entity = 'departments'
                and master_changes.join_column = 'facility_code'
                and master_changes.join_value = rooms.facility_code
        )

)
{%- endif %}

, appointments as (

    select * from {{ ref('int_appointments_sequenced') }}
    where visit_key is not null
    {%- if since %}
        and visit_key in (select visit_key from touched_visits)
    {%- endif %}

)

, transmissions as (

    select * from {{ ref('int_claim_transmissions_acknowledged') }}
    {{ where_touched('claim_key', since, 'touched_visits', 'visit_key') }}

)

, facilities as (

    select * from {{ ref('int_facilities_versioned') }}

)

, departments as (

    select * from {{ ref('int_departments_versioned') }}

)

, locations as (

    select * from {{ ref('int_locations_versioned') }}

)

, cost_centers as (

    select * from {{ ref('int_cost_centers_versioned') }}

)

, chosen_appointments as (

    select
        appointments.*
        , count(*) over (partition by visit_key) as appointment_count
        , row_number() over (
            partition by visit_key
            order by
                case when status_category = 'cancelled' then 1 else 0 end
                , booked_at nulls last
                , appointment_key
        ) as appointment_rank
    from appointments

)

, visit_claims as (

    select
        claim_key as visit_key
        , count(distinct claim_identity_key) as claim_count
        , min(service_date_from) as claim_service_date
        , min(case when payer_responsibility = 'P' then claim_identity_key end) as primary_claim_identity_key
        , min(facility_npi) as facility_npi
        , min(rendering_npi) as rendering_npi
        , min(submission_date) as first_submission_date
    from transmissions
    group by claim_key

)

, visits as (

    select visit_key from appointments
    union
    select visit_key from visit_claims

)

, joined as (

    select
        visits.visit_key
        , chosen_appointments.appointment_key
        , coalesce(chosen_appointments.appointment_count, 0) as appointment_count
        , chosen_appointments.patient_key
        , chosen_appointments.booked_at
        , chosen_appointments.booked_date
        , chosen_appointments.start_time
        , chosen_appointments.duration_minutes
        , chosen_appointments.status_category as appointment_status
        , chosen_appointments.location_code
        , chosen_appointments.service_code
        , coalesce(chosen_appointments.appointment_date, visit_claims.claim_service_date) as service_date
        , coalesce(chosen_appointments.provider_npi, visit_claims.rendering_npi) as provider_npi
        , chosen_appointments.facility_code as appointment_facility_code
        , visit_claims.facility_npi
        , coalesce(visit_claims.claim_count, 0) as claim_count
        , visit_claims.primary_claim_identity_key
        , visit_claims.first_submission_date
    from visits
    left join chosen_appointments
        on chosen_appointments.visit_key = visits.visit_key
        and chosen_appointments.appointment_rank = 1
    left join visit_claims
        on visit_claims.visit_key = visits.visit_key

)

, with_facility as (

    select
        joined.*
        , coalesce(joined.appointment_facility_code, billed_facilities.facility_code) as facility_code
    from joined
    left join facilities as billed_facilities
        on billed_facilities.npi = joined.facility_npi
        and {{ valid_at('billed_facilities', 'joined.service_date') }}

)

, enriched as (

    select
        with_facility.*
        , coalesce(named_departments.department, rooms.department) as department
        , coalesce(named_departments.cost_center_code, room_departments.cost_center_code, facilities.cost_center_code)
            as cost_center_code
        , facilities.legal_entity_code
        , facilities.region
        , rooms.location_code is not null or named_departments.department_code is not null
            or with_facility.location_code is null as is_location_mapped
    from with_facility
    left join facilities
        on facilities.facility_code = with_facility.facility_code
        and {{ valid_at('facilities', 'with_facility.service_date') }}
    left join departments as named_departments
        on named_departments.facility_code = with_facility.facility_code
        and named_departments.department = with_facility.location_code
        and {{ valid_at('named_departments', 'with_facility.service_date') }}
    left join locations as rooms
        on rooms.location_code = with_facility.location_code
        and {{ valid_at('rooms', 'with_facility.service_date') }}
    left join departments as room_departments
        on room_departments.facility_code = rooms.facility_code
        and room_departments.department = rooms.department
        and {{ valid_at('room_departments', 'with_facility.service_date') }}

)

select
    enriched.visit_key
    , enriched.appointment_key
    , enriched.appointment_count
    , enriched.patient_key
    , enriched.booked_at
    , enriched.booked_date
    , enriched.start_time
    , enriched.duration_minutes
    , enriched.service_date
    , enriched.appointment_status
    , enriched.appointment_status = 'completed' or enriched.claim_count > 0 as is_completed
    , enriched.facility_code
    , enriched.legal_entity_code
    , enriched.region
    , enriched.location_code
    , enriched.department
    , enriched.cost_center_code
    , cost_centers.cost_center_name
    , enriched.is_location_mapped
    , enriched.provider_npi
    , enriched.service_code
    , enriched.claim_count
    , enriched.claim_count > 0 as has_claim
    , enriched.primary_claim_identity_key
    , enriched.first_submission_date
from enriched
left join cost_centers
    on cost_centers.cost_center_code = enriched.cost_center_code
    and {{ valid_at('cost_centers', 'enriched.service_date') }}
