{#-
    Journal feed for the ERP (docs/contracts.md): one row per posting line of one business event.
    The amounts come from fct_journal_amounts; the seed posting_rules (keyed by event type,
    amount type and, for 835 adjustments, CAS group and CARC category) says which accounts,
    parties, cost-center side and legal entity (owner or cash) each side posts to. An amount
    without a rule posts nothing (denial adjustments wait for their resolution). A negative
    amount swaps the sides, so debit and credit are always >= 0.

    Intercompany (DESIGN §5): when a rule's two sides fall in different companies (cash received
    by one entity for another's A/R), each company's side is balanced by an intercompany line in
    that company (seed intercompany_accounts): the cash entity's due to the owner, the owner's
    due from the cash entity, with the other company's party (var erp_entity_party_prefix +
    legal entity code). So every (event_type, journal_date, legal_entity_code, facility_code)
    group balances, and each pair of affiliates' due-to and due-from mirror each other.
-#}
with amounts as (

    select * from {{ ref('fct_journal_amounts') }}

)

, rules as (

    select * from {{ ref('posting_rules') }}

)

, intercompany_accounts as (

    select * from {{ ref('intercompany_accounts') }}

)

, applied as (

    select
        amounts.*
        , rules.rule_id
        , rules.debit_account
        , rules.credit_account
        , rules.debit_party
        , rules.credit_party
        , rules.debit_entity
        , rules.credit_entity
        , rules.cost_center_side
    from amounts
    inner join rules
        on rules.event_type = amounts.event_type
        and rules.amount_type = amounts.amount_type
        and coalesce(rules.carc_group, '') = coalesce(amounts.carc_group, '')
        and coalesce(rules.carc_category, '') in (coalesce(amounts.carc_category, ''), '*')

)

, sides as (

    -- the rule's debit side: a debit for a positive amount, a credit for a negative one
    select
        applied.*
        , 'debit' as rule_side
        , debit_account as account_code
        , debit_party as party_rule
        , debit_entity as entity_role
        , credit_entity <> debit_entity as crosses_companies
        , cost_center_side = 'debit' as carries_cost_center
        , case when amount > 0 then amount else 0 end as debit
        , case when amount < 0 then -amount else 0 end as credit
    from applied

    union all

    -- the rule's credit side
    select
        applied.*
        , 'credit' as rule_side
        , credit_account as account_code
        , credit_party as party_rule
        , credit_entity as entity_role
        , credit_entity <> debit_entity as crosses_companies
        , cost_center_side = 'credit' as carries_cost_center
        , case when amount < 0 then -amount else 0 end as debit
        , case when amount > 0 then amount else 0 end as credit
    from applied

)

, placed as (

    select
        sides.*
        , case when entity_role = 'cash' then cash_entity_code else legal_entity_code end
            as company_code
        , case when entity_role = 'cash' then legal_entity_code else cash_entity_code end
            as counterparty_entity_code
        , crosses_companies and cash_entity_code <> legal_entity_code as is_intercompany
    from sides

)

, lines as (

    select
        placed.*
        , rule_side as line_side
        , account_code as line_account_code
        , case party_rule
            when 'payer' then payer_party_code
            when 'patients' then 'PATIENTS'
        end as line_party_code
        , case when carries_cost_center then cost_center_code end as line_cost_center_code
        , debit as line_debit
        , credit as line_credit
    from placed

    union all

    -- each company's side of a cross-company amount, balanced in that company
    select
        placed.*
        , rule_side || '_intercompany'
        , intercompany_accounts.account_code
        , '{{ var("erp_entity_party_prefix") }}' || counterparty_entity_code
        , null
        , credit
        , debit
    from placed
    inner join intercompany_accounts
        on intercompany_accounts.entity_role = placed.entity_role
    where placed.is_intercompany

)

, final as (

    select
        cast(
            {{ surrogate_key(['event_type', 'source_event_key', 'payer_id', 'amount_type', 'carc_group', 'carc_category', 'line_side']) }}
            as varchar
        ) as feed_line_key
        , cast(event_type as varchar) as event_type
        , cast(journal_date as date) as journal_date
        , cast(company_code as varchar) as legal_entity_code
        , cast(facility_code as varchar) as facility_code
        , cast(line_account_code as varchar) as account_code
        , cast(line_party_code as varchar) as party_code
        , cast(line_cost_center_code as varchar) as cost_center_code
        , cast(line_debit as decimal(18, 2)) as debit
        , cast(line_credit as decimal(18, 2)) as credit
        , cast(source_event_key as varchar) as source_event_key
        , cast(rule_id as varchar) as rule_id
    from lines

)

select * from final
