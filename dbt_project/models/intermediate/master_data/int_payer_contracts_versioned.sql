{{ scd_versions(
    relation=ref('stg_erp__payer_contracts')
    , key_columns=['payer_id', 'service_code', 'effective_from']
    , attribute_columns=['expected_reimbursement', 'effective_to']
) }}
