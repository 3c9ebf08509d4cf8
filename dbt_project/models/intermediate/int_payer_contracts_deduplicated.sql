{{ latest_version(
    relation=ref('stg_erp__payer_contracts')
    , key_columns=['payer_id', 'service_code', 'effective_from']
    , columns=['payer_id', 'service_code', 'expected_reimbursement', 'effective_from', 'effective_to']
) }}
