{{ latest_version(
    relation=ref('stg_erp__services')
    , key_columns=['service_code']
    , columns=['service_code', 'service_description', 'charge_amount', 'service_line']
) }}
