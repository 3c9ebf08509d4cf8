{{ scd_versions(
    relation=ref('stg_erp__locations')
    , key_columns=['location_code']
    , attribute_columns=['facility_code', 'room', 'department', 'location_name', 'is_active']
) }}
