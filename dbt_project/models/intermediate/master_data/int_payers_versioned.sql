{{ scd_versions(
    relation=ref('stg_erp__payers')
    , key_columns=['payer_id']
    , attribute_columns=['payer_name', 'payer_type', 'party_code']
) }}
