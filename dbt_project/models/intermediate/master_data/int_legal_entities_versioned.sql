{{ scd_versions(
    relation=ref('stg_erp__legal_entities')
    , key_columns=['legal_entity_code']
    , attribute_columns=['legal_entity_name', 'tax_id', 'currency']
) }}
