{#-
    The fhir rows of raw.appointment_event as canonical appointment events (macro
    stg_appointment_events, decision 0011), landed since the last build (decision 0025), with
    their arrival time.
-#}
with staged as (

    {{ stg_appointment_events('fhir') }}

)

, landed as (

    select * from staged
    {{ landed_since_last_build() }}

)

, arrivals as (

    select
        record_key
        , cast(coalesce(delivered_at, received_at) as timestamp) as delivered_at
    from {{ source('fhir', 'appointment_event') }}
    where source_file like 'fhir/%'
    {{ landed_since_last_build('and') }}

)

select
    landed.*
    , arrivals.delivered_at
from landed
inner join arrivals
    on arrivals.record_key = landed.record_key
