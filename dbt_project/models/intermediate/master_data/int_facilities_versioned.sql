{{ scd_versions(
    relation=ref('stg_erp__facilities')
    , key_columns=['facility_code']
    , attribute_columns=['facility_name', 'npi', 'legal_entity_code', 'facility_type', 'region', 'cost_center_code']
) }}
