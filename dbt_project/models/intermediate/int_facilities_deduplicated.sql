{{ latest_version(
    relation=ref('stg_erp__facilities')
    , key_columns=['facility_code']
    , columns=['facility_code', 'facility_name', 'npi', 'legal_entity_code', 'facility_type', 'region', 'cost_center_code']
) }}
