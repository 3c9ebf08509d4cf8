{{ scd_versions(
    relation=ref('stg_erp__gl_accounts')
    , key_columns=['account_code']
    , attribute_columns=['account_name', 'account_type', 'is_party_required']
) }}
