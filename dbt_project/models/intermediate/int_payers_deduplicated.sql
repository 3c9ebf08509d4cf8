{{ latest_version(
    relation=ref('stg_erp__payers')
    , key_columns=['payer_id']
    , columns=['payer_id', 'payer_name', 'payer_type', 'party_code']
) }}
