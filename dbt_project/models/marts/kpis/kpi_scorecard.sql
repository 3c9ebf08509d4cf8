{#-
    The headline KPIs of DESIGN §4 over all the data, one row per facility plus facility_code =
    'ALL' (claims whose facility NPI is unmapped: 'UNMAPPED'). Every number is re-aggregated
    from the KPI marts and the claim-level facts, exactly as `hcops kpis --from/--to` does over a
    window (the `reaggregate` meta of each column in _kpis.yml says from where):
    - flows: sums of the daily marts' numerators and denominators;
    - medians and p90: continuous percentiles of the claim-level facts, never of medians;
    - balances (open denials, net A/R): the rows of the as-of date (kpi_as_of_date);
    - rates: numerator / denominator of the summed columns.
    Scheduling counts are those of the network's facilities (is_facility_mapped, decision 0023:
    an appointment of an unknown facility code is a master-data exception, not in the totals).
    Integration health is per source, not per facility, and the bank breaks belong to a legal
    entity: those `network` parts fill the 'ALL' row only (null on the facility rows). A remit
    without submission has a facility only when its CLP01 names a known visit (decision 0024):
    the others count in 'ALL' (and 'UNMAPPED' when that row exists) but add no row of their own.
-#}
{%- set latency_sources = ['hl7_siu', 'fhir', 'vendor_csv', 'x12_837', 'x12_999', 'x12_277', 'x12_835'] %}
{%- set latency_minutes = 'cast(latency_seconds as float8) / 60.0' %}
{%- set parts = [
    {'name': 'adjudications', 'relation': ref('kpi_initial_denial_daily'), 'measures': [
        ('sum(adjudicated_claims)', 'claims_adjudicated'),
        ('sum(denied_claims)', 'initial_denial_numerator'),
        ('sum(adjudicated_claims)', 'initial_denial_denominator'),
        ('sum(denied_charges)', 'initial_denied_charges'),
        ('sum(adjudicated_charges)', 'initial_adjudicated_charges'),
        ('sum(denied_claims)', 'initial_denial_hfma_numerator'),
    ]},
    {'name': 'submissions', 'relation': ref('kpi_first_pass_acceptance_daily'), 'measures': [
        ('sum(submitted_claims)', 'claims_submitted'),
        ('sum(first_pass_accepted_claims)', 'first_pass_accepted_claims'),
        ('sum(submitted_claims)', 'initial_denial_hfma_denominator'),
    ]},
    {'name': 'cycle_times', 'relation': ref('fct_claims'),
     'where': 'first_adjudication_date is not null', 'measures': [
        (median('cycle_time_days'), 'claim_cycle_time_median_days'),
        (percentile_cont('cycle_time_days', 0.9), 'claim_cycle_time_p90_days'),
    ]},
    {'name': 'lags', 'relation': ref('fct_claims'),
     'where': 'first_payment_date is not null', 'measures': [
        (median('scheduling_to_revenue_lag_days'), 'scheduling_to_revenue_lag_median_days'),
        (percentile_cont('scheduling_to_revenue_lag_days', 0.9),
            'scheduling_to_revenue_lag_p90_days'),
        (median('booked_to_service_days'), 'booked_to_service_median_days'),
        (percentile_cont('booked_to_service_days', 0.9), 'booked_to_service_p90_days'),
        (median('service_to_submission_days'), 'service_to_submission_median_days'),
        (percentile_cont('service_to_submission_days', 0.9), 'service_to_submission_p90_days'),
        (median('submission_to_payment_days'), 'submission_to_payment_median_days'),
        (percentile_cont('submission_to_payment_days', 0.9), 'submission_to_payment_p90_days'),
    ]},
    {'name': 'payments', 'relation': ref('kpi_underpayment_daily'), 'measures': [
        ('sum(paid_claims)', 'paid_claims'),
        ('sum(underpaid_claims)', 'underpaid_claims'),
        ('sum(underpayment_amount)', 'underpayment_amount'),
    ]},
    {'name': 'resolutions', 'relation': ref('kpi_denial_resolution_daily'), 'measures': [
        ('sum(resolved_denials)', 'denials_resolved'),
    ]},
    {'name': 'resolution_times', 'relation': ref('fct_denials'),
     'where': 'resolution_date is not null', 'measures': [
        (median('days_to_resolution'), 'denial_resolution_median_days'),
        (percentile_cont('days_to_resolution', 0.9), 'denial_resolution_p90_days'),
    ]},
    {'name': 'open_denials', 'relation': ref('kpi_open_denials_daily'), 'as_of': true, 'measures': [
        ('sum(open_denials)', 'open_denials'),
        ("sum(case when age_bucket = '0-30' then open_denials else 0 end)",
            'open_denials_0_30_days'),
        ("sum(case when age_bucket = '31-60' then open_denials else 0 end)",
            'open_denials_31_60_days'),
        ("sum(case when age_bucket = '61-90' then open_denials else 0 end)",
            'open_denials_61_90_days'),
        ("sum(case when age_bucket = '91+' then open_denials else 0 end)",
            'open_denials_over_90_days'),
        ('sum(past_appeal_deadline)', 'open_denials_past_appeal_deadline'),
    ]},
    {'name': 'write_offs', 'relation': ref('kpi_denial_write_offs_daily'), 'measures': [
        ('sum(denial_write_off_amount)', 'denial_write_off_amount'),
        ('sum(recovered_amount)', 'denial_write_off_recoveries'),
        ('sum(net_denial_write_off_amount)', 'net_denial_write_offs'),
        ('sum(net_patient_service_revenue)', 'net_patient_service_revenue'),
    ]},
    {'name': 'receivables', 'relation': ref('kpi_net_ar_daily'), 'as_of': true, 'measures': [
        ('sum(net_ar_amount)', 'net_ar_amount'),
        ('sum(unbilled_estimate_amount)', 'unbilled_ar_estimate'),
        ('sum(npsr_90d)', 'npsr_90d'),
        ('max(revenue_days)', 'npsr_days'),
    ]},
    {'name': 'collections', 'relation': ref('kpi_net_collection_daily'), 'measures': [
        ('sum(finally_adjudicated_claims)', 'finally_adjudicated_claims'),
        ('sum(net_collected_amount)', 'net_collections'),
        ('sum(collectible_amount)', 'collectible_amount'),
    ]},
    {'name': 'overdue', 'relation': ref('kpi_adjudication_overdue_daily'), 'measures': [
        ('sum(overdue_claims)', 'claims_without_adjudication_45d'),
    ]},
    {'name': 'remit_breaks', 'relation': ref('kpi_reconciliation_breaks_daily'),
     'where': "break_type = 'remit_without_submission'", 'adds_facility_rows': false,
     'measures': [
        ('sum(breaks)', 'remits_without_submission'),
    ]},
    {'name': 'bank_breaks', 'relation': ref('kpi_reconciliation_breaks_daily'), 'network': true,
     'measures': [
        ("sum(case when break_type = 'remit_without_deposit' then breaks else 0 end)",
            'remits_without_deposit'),
        ("sum(case when break_type = 'deposit_without_remit' then breaks else 0 end)",
            'deposits_without_remit'),
    ]},
    {'name': 'appointments', 'relation': ref('kpi_appointment_outcomes_daily'),
     'where': 'is_facility_mapped', 'measures': [
        ('sum(appointments_booked)', 'appointments_booked'),
        ('sum(no_show_rate_numerator)', 'no_show_rate_numerator'),
        ('sum(no_show_rate_denominator)', 'no_show_rate_denominator'),
        ('sum(cancellation_rate_numerator)', 'cancellation_rate_numerator'),
        ('sum(cancellation_rate_denominator)', 'cancellation_rate_denominator'),
    ]},
    {'name': 'occupancy', 'relation': ref('kpi_schedule_occupancy_daily'),
     'where': 'is_facility_mapped', 'measures': [
        ('sum(schedule_occupancy_numerator)', 'schedule_occupancy_numerator'),
        ('sum(schedule_occupancy_denominator)', 'schedule_occupancy_denominator'),
    ]},
    {'name': 'integration', 'relation': ref('kpi_integration_health_daily'), 'network': true,
     'measures': [
        ('sum(integration_failure_numerator)', 'integration_failure_numerator'),
        ('sum(integration_failure_denominator)', 'integration_failure_denominator'),
    ]},
] -%}
{%- set integration_part = parts[-1] %}
{%- for source in latency_sources %}
{%- do integration_part.measures.append((
    "sum(case when source = '" ~ source ~ "' then timed_messages else 0 end)",
    'transaction_latency_' ~ source ~ '_messages')) %}
{%- do parts.append({
    'name': 'latency_' ~ source, 'relation': ref('fct_transaction_latencies'), 'network': true,
    'where': "source = '" ~ source ~ "'", 'measures': [
        (median(latency_minutes), 'transaction_latency_' ~ source ~ '_p50_minutes'),
        (percentile_cont(latency_minutes, 0.95), 'transaction_latency_' ~ source ~ '_p95_minutes'),
    ]}) %}
{%- endfor %}

with as_of as (

    select as_of_date from {{ ref('kpi_as_of_date') }}

)
{%- for part in parts %}

, {{ part.name }}_rows as (

    select mart.*
    {%- if not part.network %}
        , coalesce(mart.facility_code, 'UNMAPPED') as scorecard_facility
    {%- endif %}
    from {{ part.relation }} as mart
    {%- if part.as_of %}
    inner join as_of
        on as_of.as_of_date = mart.kpi_date
    {%- endif %}
    {%- if part.where %}
    where {{ part.where }}
    {%- endif %}

)

, {{ part.name }} as (

    {%- if not part.network %}
    select
        scorecard_facility
        {%- for expression, alias in part.measures %}
        , {{ expression }} as {{ alias }}
        {%- endfor %}
    from {{ part.name }}_rows
    group by scorecard_facility

    union all
    {%- endif %}

    select
        'ALL' as scorecard_facility
        {%- for expression, alias in part.measures %}
        , {{ expression }} as {{ alias }}
        {%- endfor %}
    from {{ part.name }}_rows

)
{%- endfor %}

, facilities as (

    select 'ALL' as scorecard_facility
    {%- for part in parts if not part.network and part.get('adds_facility_rows', true) %}
    union
    select scorecard_facility from {{ part.name }}_rows
    {%- endfor %}

)

, joined as (

    select
        facilities.scorecard_facility as facility_code
        {%- for part in parts %}
        {%- for expression, alias in part.measures %}
        , {{ part.name }}.{{ alias }}
        {%- endfor %}
        {%- endfor %}
    from facilities
    {%- for part in parts %}
    left join {{ part.name }}
        on {{ part.name }}.scorecard_facility = facilities.scorecard_facility
    {%- endfor %}

)

{%- set sums = [] %}
{%- set network_sums = [] %}
{%- for part in parts %}{% for expression, alias in part.measures %}
{%- if expression.startswith('sum(') %}
{%- do (network_sums if part.network else sums).append(alias) %}
{%- endif %}
{%- endfor %}{% endfor %}

, totals as (

    -- a facility without rows in a mart has 0 of its flows and balances (percentiles stay
    -- null); the network parts have no value on a facility row
    select
        joined.facility_code
        {%- for part in parts %}
        {%- for expression, alias in part.measures %}
        {%- if alias in sums %}
        , coalesce(joined.{{ alias }}, 0) as {{ alias }}
        {%- elif alias in network_sums %}
        , case when joined.facility_code = 'ALL' then coalesce(joined.{{ alias }}, 0) end
            as {{ alias }}
        {%- else %}
        , joined.{{ alias }}
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
    from joined

)

select
    cast(totals.facility_code as varchar) as facility_code
    , cast(as_of.as_of_date as date) as as_of_date
    -- claim cycle time and initial denials (dated by first adjudication)
    , cast(claims_adjudicated as bigint) as claims_adjudicated
    , cast(claim_cycle_time_median_days as float8) as claim_cycle_time_median_days
    , cast(claim_cycle_time_p90_days as float8) as claim_cycle_time_p90_days
    , cast(initial_denial_numerator as bigint) as initial_denial_numerator
    , cast(initial_denial_denominator as bigint) as initial_denial_denominator
    , cast({{ safe_divide('initial_denial_numerator', 'initial_denial_denominator') }} as float8)
        as initial_denial_rate
    , cast(initial_denied_charges as decimal(18, 2)) as initial_denied_charges
    , cast(initial_adjudicated_charges as decimal(18, 2)) as initial_adjudicated_charges
    , cast({{ safe_divide('initial_denied_charges', 'initial_adjudicated_charges') }} as float8)
        as initial_denial_rate_dollars
    -- submissions: first-pass acceptance and the HFMA initial denial rate (per claim submitted)
    , cast(claims_submitted as bigint) as claims_submitted
    , cast(first_pass_accepted_claims as bigint) as first_pass_accepted_claims
    , cast({{ safe_divide('first_pass_accepted_claims', 'claims_submitted') }} as float8)
        as first_pass_acceptance_rate
    , cast(initial_denial_hfma_numerator as bigint) as initial_denial_hfma_numerator
    , cast(initial_denial_hfma_denominator as bigint) as initial_denial_hfma_denominator
    , cast(
        {{ safe_divide('initial_denial_hfma_numerator', 'initial_denial_hfma_denominator') }}
        as float8
    ) as initial_denial_rate_hfma
    -- scheduling-to-revenue lag and its hops (paid claims, dated by first payment)
    , cast(scheduling_to_revenue_lag_median_days as float8) as scheduling_to_revenue_lag_median_days
    , cast(scheduling_to_revenue_lag_p90_days as float8) as scheduling_to_revenue_lag_p90_days
    , cast(booked_to_service_median_days as float8) as booked_to_service_median_days
    , cast(booked_to_service_p90_days as float8) as booked_to_service_p90_days
    , cast(service_to_submission_median_days as float8) as service_to_submission_median_days
    , cast(service_to_submission_p90_days as float8) as service_to_submission_p90_days
    , cast(submission_to_payment_median_days as float8) as submission_to_payment_median_days
    , cast(submission_to_payment_p90_days as float8) as submission_to_payment_p90_days
    , cast(paid_claims as bigint) as paid_claims
    -- underpayment variance (paid claims, dated by first payment)
    , cast(underpaid_claims as bigint) as underpaid_claims
    , cast(underpayment_amount as decimal(18, 2)) as underpayment_amount
    , cast({{ safe_divide('underpayment_amount', 'paid_claims') }} as float8)
        as underpayment_variance_per_paid_claim
    -- denial resolution (dated by resolution) and open denials (at the as-of date)
    , cast(denials_resolved as bigint) as denials_resolved
    , cast(denial_resolution_median_days as float8) as denial_resolution_median_days
    , cast(denial_resolution_p90_days as float8) as denial_resolution_p90_days
    , cast(open_denials as bigint) as open_denials
    , cast(open_denials_0_30_days as bigint) as open_denials_0_30_days
    , cast(open_denials_31_60_days as bigint) as open_denials_31_60_days
    , cast(open_denials_61_90_days as bigint) as open_denials_61_90_days
    , cast(open_denials_over_90_days as bigint) as open_denials_over_90_days
    , cast(open_denials_past_appeal_deadline as bigint) as open_denials_past_appeal_deadline
    -- denial write-offs (AR-6 basis)
    , cast(denial_write_off_amount as decimal(18, 2)) as denial_write_off_amount
    , cast(denial_write_off_recoveries as decimal(18, 2)) as denial_write_off_recoveries
    , cast(net_denial_write_offs as decimal(18, 2)) as net_denial_write_offs
    , cast(net_patient_service_revenue as decimal(18, 2)) as net_patient_service_revenue
    , cast({{ safe_divide('net_denial_write_offs', 'net_patient_service_revenue') }} as float8)
        as denial_write_off_ratio
    -- net days in A/R (at the as-of date)
    , cast(net_ar_amount as decimal(18, 2)) as net_ar_amount
    , cast(unbilled_ar_estimate as decimal(18, 2)) as unbilled_ar_estimate
    , cast(npsr_90d as decimal(18, 2)) as npsr_90d
    , cast(npsr_days as integer) as npsr_days
    , cast({{ safe_divide('npsr_90d', 'npsr_days') }} as float8) as average_daily_npsr
    , cast(
        {{ safe_divide('net_ar_amount', safe_divide('npsr_90d', 'npsr_days')) }} as float8
    ) as net_days_in_ar
    -- net collection rate (claims finally adjudicated, dated by the last adjudication)
    , cast(finally_adjudicated_claims as bigint) as finally_adjudicated_claims
    , cast(net_collections as decimal(18, 2)) as net_collections
    , cast(collectible_amount as decimal(18, 2)) as collectible_amount
    , cast({{ safe_divide('net_collections', 'collectible_amount') }} as float8)
        as net_collection_rate
    -- reconciliation breaks open at the as-of date (dated by the break): claims without
    -- adjudication 45 days after submission, remits matching no submission (facility: the
    -- visit's, when known), 835s without a deposit and deposits without an 835 (network only)
    , cast(claims_without_adjudication_45d as bigint) as claims_without_adjudication_45d
    , cast(remits_without_submission as bigint) as remits_without_submission
    , cast(remits_without_deposit as bigint) as remits_without_deposit
    , cast(deposits_without_remit as bigint) as deposits_without_remit
    -- no-show and cancellation rates (dated by the appointment day), schedule occupancy
    , cast(appointments_booked as bigint) as appointments_booked
    , cast(no_show_rate_numerator as bigint) as no_show_rate_numerator
    , cast(no_show_rate_denominator as bigint) as no_show_rate_denominator
    , cast({{ safe_divide('no_show_rate_numerator', 'no_show_rate_denominator') }} as float8)
        as no_show_rate
    , cast(cancellation_rate_numerator as bigint) as cancellation_rate_numerator
    , cast(cancellation_rate_denominator as bigint) as cancellation_rate_denominator
    , cast(
        {{ safe_divide('cancellation_rate_numerator', 'cancellation_rate_denominator') }} as float8
    ) as cancellation_rate
    , cast(schedule_occupancy_numerator as bigint) as schedule_occupancy_numerator
    , cast(schedule_occupancy_denominator as bigint) as schedule_occupancy_denominator
    , cast(
        {{ safe_divide('schedule_occupancy_numerator', 'schedule_occupancy_denominator') }}
        as float8
    ) as schedule_occupancy
    -- integration failure rate (dated by the UTC delivery day; network only)
    , cast(integration_failure_numerator as bigint) as integration_failure_numerator
    , cast(integration_failure_denominator as bigint) as integration_failure_denominator
    , cast(
        {{ safe_divide('integration_failure_numerator', 'integration_failure_denominator') }}
        as float8
    ) as integration_failure_rate
    -- transaction latency per source (minutes, dated by the UTC delivery day; network only)
    {%- for source in latency_sources %}
    , cast(transaction_latency_{{ source }}_messages as bigint)
        as transaction_latency_{{ source }}_messages
    , cast(transaction_latency_{{ source }}_p50_minutes as float8)
        as transaction_latency_{{ source }}_p50_minutes
    , cast(transaction_latency_{{ source }}_p95_minutes as float8)
        as transaction_latency_{{ source }}_p95_minutes
    {%- endfor %}
from totals
cross join as_of
