{{ stg_appointment_events('vendor_csv') }}
