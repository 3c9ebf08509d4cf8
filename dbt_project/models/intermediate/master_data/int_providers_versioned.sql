{{ scd_versions(
    relation=ref('stg_erp__providers')
    , key_columns=['provider_npi']
    , attribute_columns=['provider_name', 'specialty', 'facility_code']
) }}
