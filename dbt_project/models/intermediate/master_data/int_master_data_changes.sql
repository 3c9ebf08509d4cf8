{#-
    What each landing of ERP master data changed for the facts that join it (decision 0025):
    the incremental canonical models re-derive the facts a change reaches, not every fact on
    every daily extract.

    A fact joins the version valid on its date (macro valid_at): the key's row in the latest
    extract on or before that date, or the key's first row for a date before its first extract
    (int_*_versioned, decision 0017). So an extract landed at `landed_at`:
    - window (join_column null): may change every key on the dates from its extract date to the
      next extract date (open: the latest extract; date-less facts take the latest versions);
    - first listing (join_column, join_value): when it is a key's first extract, every date of
      the facts that join that key (by each join value it ever had), the dates before included.
    Payer contracts are priced as last listed (int_claim_lines_priced): a row whose terms differ
    from the key's previous row marks its (payer, service) for every date.
-#}
{%- set dated_entities = [
    ('facilities', 'stg_erp__facilities', ['facility_code'], ['facility_code', 'npi']),
    ('payers', 'stg_erp__payers', ['payer_id'], ['payer_id']),
    ('providers', 'stg_erp__providers', ['provider_npi'], ['provider_npi']),
    ('legal_entities', 'stg_erp__legal_entities', ['legal_entity_code'], ['legal_entity_code']),
    ('departments', 'stg_erp__departments', ['department_code'], ['facility_code']),
    ('locations', 'stg_erp__locations', ['location_code'], ['location_code']),
    ('cost_centers', 'stg_erp__cost_centers', ['cost_center_code'], ['cost_center_code']),
] -%}
with
{%- for entity, model_name, key_columns, join_columns in dated_entities %}
{%- set keys = key_columns | join(', ') %}

{{ entity }}_extracts as (

    select
        extract_date
        , lead(extract_date) over (order by extract_date) as next_extract_date
        , landed_at
    from (
        select extract_date, max(received_at) as landed_at
        from {{ ref(model_name) }}
        group by extract_date
    ) as extracts

)

, {{ entity }}_first_listings as (

    select
        {%- for column in key_columns %}
        listed.{{ column }},
        {%- endfor %}
        max(rows_of_first_extract.received_at) as landed_at
    from (
        select {{ keys }}, min(extract_date) as first_extract_date
        from {{ ref(model_name) }}
        group by {{ keys }}
    ) as listed
    inner join {{ ref(model_name) }} as rows_of_first_extract
        on {% for column in key_columns -%}
        rows_of_first_extract.{{ column }} = listed.{{ column }}
        and {% endfor -%}
        rows_of_first_extract.extract_date = listed.first_extract_date
    group by {% for column in key_columns %}listed.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}

)

, {{ entity }}_changes as (

    select
        '{{ entity }}' as master_entity
        , cast(null as varchar) as join_column
        , cast(null as varchar) as join_value
        , extract_date as changed_from
        , next_extract_date as changed_to
        , landed_at
    from {{ entity }}_extracts
    {%- for join_column in join_columns %}

    union all

    select distinct
        '{{ entity }}' as master_entity
        , '{{ join_column }}' as join_column
        , cast(key_rows.{{ join_column }} as varchar) as join_value
        , cast(null as date) as changed_from
        , cast(null as date) as changed_to
        , {{ entity }}_first_listings.landed_at
    from {{ entity }}_first_listings
    inner join {{ ref(model_name) }} as key_rows
        on {% for column in key_columns -%}
        key_rows.{{ column }} = {{ entity }}_first_listings.{{ column }}
        {%- if not loop.last %}
        and {% endif -%}
        {%- endfor %}
    where key_rows.{{ join_column }} is not null
    {%- endfor %}

)
{%- if not loop.last %}
,{%- endif %}
{%- endfor %}

, contract_rows as (

    select
        payer_id
        , service_code
        , received_at
        , {{ surrogate_key(['expected_reimbursement', 'effective_to']) }} as terms_hash
        , lag({{ surrogate_key(['expected_reimbursement', 'effective_to']) }}) over (
            partition by payer_id, service_code, effective_from
            order by extract_date, received_at, record_key
        ) as previous_terms_hash
    from {{ ref('stg_erp__payer_contracts') }}

)

, payer_contracts_changes as (

    select distinct
        'payer_contracts' as master_entity
        , 'payer_service' as join_column
        , payer_id || '|' || service_code as join_value
        , cast(null as date) as changed_from
        , cast(null as date) as changed_to
        , received_at as landed_at
    from contract_rows
    where payer_id is not null
        and service_code is not null
        and (previous_terms_hash is null or previous_terms_hash <> terms_hash)

)

{% for entity, model_name, key_columns, join_columns in dated_entities -%}
select * from {{ entity }}_changes
union all
{% endfor -%}
select * from payer_contracts_changes
