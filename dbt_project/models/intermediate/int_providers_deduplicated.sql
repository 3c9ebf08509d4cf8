{{ latest_version(
    relation=ref('stg_erp__providers')
    , key_columns=['provider_npi']
    , columns=['provider_npi', 'provider_name', 'specialty', 'facility_code']
) }}
