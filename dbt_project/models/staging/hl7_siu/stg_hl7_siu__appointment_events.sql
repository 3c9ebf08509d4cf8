{{ stg_appointment_events('hl7_siu') }}
