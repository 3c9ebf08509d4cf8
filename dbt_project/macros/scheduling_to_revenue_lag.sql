{#-
    The scheduling-to-revenue lag of a claim (DESIGN §4), hop by hop, in days: booked (the
    first S12 of the visit's appointment, facility-local day) → date of service → submission (BHT04 of the first
    837 the 999 accepted) → first payment (BPR16 of the first CLP with CLP04 > 0), and booked →
    first payment in total. The milestones are columns of int_claims_assembled; one definition
    for the KPI's claim facts (fct_claims) and the claim journey (fct_claim_journeys), which
    name the columns their own way.

    `hop`: booked_to_service, service_to_submission, submission_to_first_payment or
    booked_to_first_payment; `relation`: the alias whose milestone columns are read.
-#}
{% macro scheduling_to_revenue_lag_days(hop, relation=none) -%}
    {%- set milestones = {
        'booked': 'booked_date',
        'service': 'service_date',
        'submission': 'submission_date',
        'first_payment': 'first_payment_date',
    } -%}
    {%- set hops = {
        'booked_to_service': ('booked', 'service'),
        'service_to_submission': ('service', 'submission'),
        'submission_to_first_payment': ('submission', 'first_payment'),
        'booked_to_first_payment': ('booked', 'first_payment'),
    } -%}
    {%- if hop not in hops -%}
        {{ exceptions.raise_compiler_error('unknown scheduling-to-revenue hop: ' ~ hop) }}
    {%- endif -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set start, end = hops[hop] -%}
    cast({{ days_between(prefix ~ milestones[start], prefix ~ milestones[end]) }} as integer)
{%- endmacro %}
