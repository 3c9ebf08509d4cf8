{#-
    The head of an incremental model keyed by claim (decision 0025) whose facts also join
    master data valid at their dates: the CTEs `master_changes` (master-data changes landed
    since `since`) and `touched_claims` (the claim keys to re-derive), one definition for
    int_claims_assembled, int_claims_priced, int_claim_lines_priced, int_remittance_lines_matched
    and int_denials_tracked. When incremental, touched_claims is the union of:

    - the claim keys int_claim_activity lists since `since` (their events, their batches'
      acknowledgments, their visit's appointments, the claim they replace);
    - with `contracts_priced_in` (a relation of priced lines: claim_key, payer_id,
      procedure_code), the claims priced there by a (payer, procedure) contract that changed;
    - the body of a `{% call touched_claims_ctes(...) %}` block: the model's own rows
      (`{{ this }}`) whose master-data version a change reaches (macro master_data_changed).

    On a full build the model derives every key and the CTEs only carry the dependencies.
-#}
{% macro touched_claims_ctes(since, contracts_priced_in=none) -%}
with master_changes as (

    {{ master_data_changes_since(since) }}

)

, touched_claims as (

    {{ claims_touched_since(since) }}
    {%- if since %}
    {%- if contracts_priced_in is not none %}

    union

    {{ claims_with_changed_contracts(contracts_priced_in) }}
    {%- endif %}
    {%- if caller is defined %}

    union

    {{ caller() }}
    {%- endif %}
    {%- endif %}

)
{%- endmacro %}


{#-
    Predicate on a claim row of {{ this }} (`claims`: its alias): a master-data change reaches
    the facility (by service facility NPI) or payer version valid on its date of service.
-#}
{% macro claim_facility_or_payer_changed(claims) -%}
    {{ master_data_changed('facilities', 'npi', claims ~ '.facility_npi', claims ~ '.service_date') }}
        or {{ master_data_changed('payers', 'payer_id', claims ~ '.payer_id', claims ~ '.service_date') }}
{%- endmacro %}
