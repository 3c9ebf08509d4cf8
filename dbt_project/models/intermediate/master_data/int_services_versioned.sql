{{ scd_versions(
    relation=ref('stg_erp__services')
    , key_columns=['service_code']
    , attribute_columns=['service_description', 'charge_amount', 'service_line']
) }}
