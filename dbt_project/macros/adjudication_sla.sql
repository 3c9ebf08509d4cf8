{#-
    Claims without adjudication past the SLA (DESIGN §4, a reconciliation break): one definition
    for the KPI (kpi_adjudication_overdue_daily) and the break list (fct_reconciliation_breaks).

    - due date: submission + var('adjudication_sla_days', 45) days (fct_claims.adjudication_due_date);
    - overdue on an as-of date: the claim fell due on or before it, is not voided, and had no
      adjudication by it (a later adjudication does not close the break in the past).
-#}
{% macro adjudication_due_date(submission_date) -%}
    {{ add_days_to_date(submission_date, var('adjudication_sla_days', 45)) }}
{%- endmacro %}


{#- `claims`: the alias of fct_claims rows; `as_of_date`: the date the SLA is checked on -#}
{% macro is_adjudication_overdue(claims, as_of_date) -%}
    (
        {{ claims }}.adjudication_due_date <= {{ as_of_date }}
        and not {{ claims }}.is_voided
        and ({{ claims }}.first_adjudication_date is null or {{ claims }}.first_adjudication_date > {{ as_of_date }})
    )
{%- endmacro %}
