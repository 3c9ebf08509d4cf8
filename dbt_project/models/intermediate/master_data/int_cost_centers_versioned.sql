{{ scd_versions(
    relation=ref('stg_erp__cost_centers')
    , key_columns=['cost_center_code']
    , attribute_columns=['cost_center_name', 'legal_entity_code', 'facility_code', 'department', 'is_active']
) }}
