-- the affiliates' intercompany lines mirror each other (DESIGN §5): per journal date and pair of
-- legal entities, what the cash entity records as due to the owner (credit on the cash role's
-- account) equals what the owner records as due from the cash entity (debit on the owner role's
-- account); returns the pairs and days that differ
with intercompany as (

    select
        feed.journal_date
        , accounts.entity_role
        , feed.legal_entity_code
        , substr(feed.party_code, {{ var('erp_entity_party_prefix') | length + 1 }}) as other_entity_code
        , case when accounts.entity_role = 'cash' then feed.credit - feed.debit
            else feed.debit - feed.credit end as amount
    from {{ ref('fct_journal_feed') }} as feed
    inner join {{ ref('intercompany_accounts') }} as accounts
        on accounts.account_code = feed.account_code

)

, due_to as (

    select journal_date, legal_entity_code as cash_entity_code, other_entity_code as owner_entity_code
        , sum(amount) as amount
    from intercompany
    where entity_role = 'cash'
    group by journal_date, legal_entity_code, other_entity_code

)

, due_from as (

    select journal_date, other_entity_code as cash_entity_code, legal_entity_code as owner_entity_code
        , sum(amount) as amount
    from intercompany
    where entity_role = 'owner'
    group by journal_date, other_entity_code, legal_entity_code

)

select
    coalesce(due_to.journal_date, due_from.journal_date) as journal_date
    , coalesce(due_to.cash_entity_code, due_from.cash_entity_code) as cash_entity_code
    , coalesce(due_to.owner_entity_code, due_from.owner_entity_code) as owner_entity_code
    , due_to.amount as due_to_amount
    , due_from.amount as due_from_amount
from due_to
full outer join due_from
    on due_from.journal_date = due_to.journal_date
    and due_from.cash_entity_code = due_to.cash_entity_code
    and due_from.owner_entity_code = due_to.owner_entity_code
where coalesce(due_to.amount, 0) <> coalesce(due_from.amount, 0)
