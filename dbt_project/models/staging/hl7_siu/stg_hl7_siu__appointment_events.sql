{#-
    The hl7_siu rows of raw.appointment_event as canonical appointment events (macro
    stg_appointment_events, decision 0011), landed since the last build (decision 0025), with
    their arrival time.
-#}
{{ stg_appointment_events_landed('hl7_siu') }}
