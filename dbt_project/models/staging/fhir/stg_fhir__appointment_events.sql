{{ stg_appointment_events('fhir') }}
