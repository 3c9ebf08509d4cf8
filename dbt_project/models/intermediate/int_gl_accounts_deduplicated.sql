{{ latest_version(
    relation=ref('stg_erp__gl_accounts')
    , key_columns=['account_code']
    , columns=['account_code', 'account_name', 'account_type', 'is_party_required']
) }}
