{#-
    The as-of date of the KPI marts (one row): the period end of the snapshot KPIs (open
    denials by age, net days in A/R) and the day the adjudication SLA is checked on.
    var('kpi_as_of_date') when set, else the last day with revenue-cycle activity landed:
    837 BHT04, 999 / 277CA answers, 835 production dates (DTM*405), patient-accounting
    postings, bank as-of dates. BPR16 is left out: an 835 announces payments dated ahead.
    first_service_date starts the daily balance series (kpi_calendar).

    The one reporting as-of date: the KPI marts, the scorecard, the reconciliation breaks
    (fct_reconciliation_breaks) and `hcops kpis` read it here. The other "as of" of the pipeline
    is the bank day (int_remittance_payments_reassociated.latest_bank_day: the latest BAI2 day
    landed), which only decides whether a payment still awaits its deposit or misses it.
-#}
{%- set as_of_override = var('kpi_as_of_date', none) %}

with activity_dates as (

    select max(submission_date) as activity_date, min(service_date_from) as service_date
    from {{ ref('int_claim_transmissions_acknowledged') }}

    union all

    select max(batch_acknowledgment_date), null
    from {{ ref('int_claim_transmissions_acknowledged') }}

    union all

    select max(response_date), null
    from {{ ref('int_claim_status_events_sequenced') }}

    union all

    select max(production_date), min(service_date_from)
    from {{ ref('int_remittance_claims_classified') }}

    union all

    select max(posted_date), null
    from {{ ref('int_patient_accounting_events_unioned') }}

    union all

    select max(as_of_date), null
    from {{ ref('int_bank_deposits_reassociated') }}

    union all

    select null, min(service_date)
    from {{ ref('int_encounters_enriched') }}
    where is_completed

)

select
    {%- if as_of_override %}
    cast('{{ as_of_override }}' as date) as as_of_date
    {%- else %}
    cast(max(activity_date) as date) as as_of_date
    {%- endif %}
    , cast(min(service_date) as date) as first_service_date
from activity_dates
