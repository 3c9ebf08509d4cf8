-- every (event_type, journal_date, legal_entity_code, facility_code) group of the journal feed
-- balances: Σ debit = Σ credit (contracts.md); returns the groups that do not
select
    event_type
    , journal_date
    , legal_entity_code
    , facility_code
    , sum(debit) as total_debit
    , sum(credit) as total_credit
from {{ ref('fct_journal_feed') }}
group by
    event_type
    , journal_date
    , legal_entity_code
    , facility_code
having sum(debit) <> sum(credit)
