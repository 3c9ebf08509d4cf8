{#-
    Reconciliation breaks (DESIGN §4) by break day × break type × facility × legal entity ×
    payer: open breaks and their amounts, as of the business date of fct_reconciliation_breaks.
    The ERP readback breaks are not here: writeback.reconciliation_breaks holds them.
-#}
select
    cast(break_date as date) as kpi_date
    , cast(break_type as varchar) as break_type
    , cast(facility_code as varchar) as facility_code
    , cast(legal_entity_code as varchar) as legal_entity_code
    , cast(payer_id as varchar) as payer_id
    , cast(count(*) as bigint) as breaks
    , cast(sum(amount) as decimal(18, 2)) as break_amount
    , cast(max(as_of_date) as date) as as_of_date
from {{ ref('fct_reconciliation_breaks') }}
group by break_date, break_type, facility_code, legal_entity_code, payer_id
