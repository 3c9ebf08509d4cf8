{#-
    Claims without adjudication 45 days after submission (DESIGN §4, reconciliation breaks) by
    due day (submission + var('adjudication_sla_days', 45)) × facility × service line × payer,
    for due days up to the as-of date: claims_due reached their due day; overdue_claims of
    them, not voided, have no adjudication as of the as-of date (the open break; macro
    is_adjudication_overdue, the same claims as fct_reconciliation_breaks'
    claim_without_adjudication). A sum over due days gives the breaks that fell due in a
    period and are still open.
-#}
with claims as (

    select * from {{ ref('fct_claims') }}

)

, as_of as (

    select as_of_date from {{ ref('kpi_as_of_date') }}

)

, flagged as (

    select
        claims.*
        , {{ is_adjudication_overdue('claims', 'as_of.as_of_date') }} as is_overdue
    from claims
    cross join as_of
    where claims.adjudication_due_date <= as_of.as_of_date

)

{{ kpi_grain_rollup('flagged', 'adjudication_due_date', measures=[
    {'name': 'claims_due', 'aggregate': 'count(*)', 'type': 'bigint'},
    {'name': 'overdue_claims', 'aggregate': 'sum(case when is_overdue then 1 else 0 end)', 'type': 'bigint'},
    {'name': 'overdue_charges', 'aggregate': 'sum(case when is_overdue then charge_amount else 0 end)', 'type': 'decimal(18, 2)'},
]) }}
