{{ latest_version(
    relation=ref('stg_erp__cost_centers')
    , key_columns=['cost_center_code']
    , columns=['cost_center_code', 'cost_center_name', 'legal_entity_code', 'facility_code', 'department', 'is_active']
) }}
