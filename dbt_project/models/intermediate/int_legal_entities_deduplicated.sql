{{ latest_version(
    relation=ref('stg_erp__legal_entities')
    , key_columns=['legal_entity_code']
    , columns=['legal_entity_code', 'legal_entity_name', 'tax_id', 'currency']
) }}
