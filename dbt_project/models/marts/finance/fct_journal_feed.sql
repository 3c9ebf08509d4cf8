{#-
    Journal feed for the ERP (docs/contracts.md): one row per posting line of one business event.
    Amounts per event come from the claims and remittances; the seed posting_rules says which
    accounts, parties and cost-center side each amount posts to. A negative amount swaps the
    sides, so debit and credit are always >= 0; every rule posts the same amount on both sides,
    so every event (and every date × company × facility × event type group) balances.

    service_rendered: primary claims with an original (frequency 1) submission, at date of service.
    remittance: 835 CLPs of those claims for the same payer, processed as primary (CLP02 1, 19) or
    reversals (22), not denied (denials post nothing until resolved). The estimate E released by
    the true-up is the claim's posted estimate (0 when it could not be priced); a reversal books
    it back, so reversal + correction nets to one release.
-#}
with claims as (

    select * from {{ ref('int_claims_priced') }}
    where has_original
        and service_date is not null

)

, adjudications as (

    select * from {{ ref('int_adjudications_classified') }}
    where status_code in ('1', '19', '22')
        and not is_denied
        and remittance_date is not null

)

, rules as (

    select * from {{ ref('posting_rules') }}

)

, claim_events as (

    select
        'service_rendered' as event_type
        , claims.claim_key as source_event_key
        , claims.payer_id
        , claims.service_date as journal_date
        , claims.legal_entity_code
        , claims.facility_code
        , claims.cost_center_code
        , claims.payer_party_code
        , claims.charge_amount
        , claims.charge_amount - claims.expected_reimbursement as estimated_allowance
    from claims

)

, remittance_events as (

    select
        'remittance' as event_type
        , adjudications.remittance_claim_key as source_event_key
        , claims.payer_id
        , adjudications.remittance_date as journal_date
        , claims.legal_entity_code
        , claims.facility_code
        , claims.cost_center_code
        , claims.payer_party_code
        , adjudications.paid_amount
        , adjudications.contractual_adjustment_amount
        , adjudications.contractual_adjustment_amount
            - coalesce(claims.charge_amount - claims.expected_reimbursement, 0)
            * case when adjudications.is_reversal then -1 else 1 end as contractual_true_up
        , adjudications.patient_responsibility_adjustment_amount
    from adjudications
    inner join claims
        on claims.claim_key = adjudications.claim_key
        and claims.payer_id = adjudications.payer_id

)

, amounts as (

    {%- set event_amounts = [
        ('claim_events', 'gross_charge', 'charge_amount')
        , ('claim_events', 'estimated_contractual_allowance', 'estimated_allowance')
        , ('remittance_events', 'paid', 'paid_amount')
        , ('remittance_events', 'contractual_adjustment', 'contractual_adjustment_amount')
        , ('remittance_events', 'contractual_true_up', 'contractual_true_up')
        , ('remittance_events', 'patient_responsibility', 'patient_responsibility_adjustment_amount')
    ] %}
    {%- for events, amount_type, amount in event_amounts %}

    select
        event_type
        , source_event_key
        , payer_id
        , journal_date
        , legal_entity_code
        , facility_code
        , cost_center_code
        , payer_party_code
        , '{{ amount_type }}' as amount_type
        , {{ amount }} as amount
    from {{ events }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

)

, applied as (

    select
        amounts.*
        , rules.debit_account
        , rules.credit_account
        , rules.debit_party
        , rules.credit_party
        , rules.cost_center_side
    from amounts
    inner join rules
        on rules.event_type = amounts.event_type
        and rules.amount_type = amounts.amount_type
    where amounts.amount is not null
        and amounts.amount <> 0

)

, lines as (

    -- the rule's debit side: a debit for a positive amount, a credit for a negative one
    select
        applied.*
        , 'debit' as rule_side
        , debit_account as account_code
        , debit_party as party_rule
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
        , cost_center_side = 'credit' as carries_cost_center
        , case when amount < 0 then -amount else 0 end as debit
        , case when amount > 0 then amount else 0 end as credit
    from applied

)

, final as (

    select
        cast(
            {{ surrogate_key(['event_type', 'source_event_key', 'payer_id', 'amount_type', 'rule_side']) }}
            as varchar
        ) as feed_line_key
        , cast(event_type as varchar) as event_type
        , cast(journal_date as date) as journal_date
        , cast(legal_entity_code as varchar) as legal_entity_code
        , cast(facility_code as varchar) as facility_code
        , cast(account_code as varchar) as account_code
        , cast(
            case party_rule
                when 'payer' then payer_party_code
                when 'patients' then 'PATIENTS'
            end as varchar
        ) as party_code
        , cast(case when carries_cost_center then cost_center_code end as varchar) as cost_center_code
        , cast(debit as decimal(18, 2)) as debit
        , cast(credit as decimal(18, 2)) as credit
        , cast(source_event_key as varchar) as source_event_key
    from lines

)

select * from final
