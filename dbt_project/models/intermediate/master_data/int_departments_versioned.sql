{{ scd_versions(
    relation=ref('stg_erp__departments')
    , key_columns=['department_code']
    , attribute_columns=['facility_code', 'department', 'department_name', 'cost_center_code']
) }}
