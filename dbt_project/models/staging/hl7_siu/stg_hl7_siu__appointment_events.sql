{#-
    The hl7_siu rows of raw.appointment_event as canonical appointment events (macro
    stg_appointment_events, decision 0011), landed since the last build (decision 0025), with
    their arrival time, and whether each time is UTC already (decision 0028): an HL7 DTM written
    with a UTC offset was converted by ingest, which lands the offset next to it
    (`*_utc_offset`, record v2); one without (null, also every row landed before v2) is the
    sender's wall clock, converted by macro appointment_events_in_utc.
-#}
{{ stg_appointment_events_landed('hl7_siu', arrival_columns={
    'event_time_is_utc': 'event_time_utc_offset is not null',
    'start_time_is_utc': 'start_time_utc_offset is not null',
}) }}
