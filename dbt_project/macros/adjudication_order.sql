{#-
    The order of a claim's adjudications (DESIGN §4): the event order of its 835 CLPs that
    adjudicate it (remittance_sequence of int_remittance_claims_classified, over rows with
    is_claim_adjudication). Rank 1 is the first adjudication: the cycle time ends there and, when
    it is denied, the claim has an initial denial. One definition for int_claims_assembled (first
    adjudication) and int_denials_tracked (is_initial_denial).
-#}
{% macro adjudication_rank() -%}
    row_number() over (partition by claim_identity_key order by remittance_sequence)
{%- endmacro %}
