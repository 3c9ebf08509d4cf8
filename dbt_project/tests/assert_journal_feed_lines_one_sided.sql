-- every journal feed line is a debit or a credit, >= 0, never both and never zero
select
    feed_line_key
    , debit
    , credit
from {{ ref('fct_journal_feed') }}
where debit < 0
    or credit < 0
    or (debit = 0 and credit = 0)
    or (debit > 0 and credit > 0)
