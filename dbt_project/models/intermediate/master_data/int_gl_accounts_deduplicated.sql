{#-
    Deprecated: the current version per account_code, kept under its issue-2 name because
    marts/finance/_finance.yml tests fct_journal_feed.account_code against it. New models join
    int_gl_accounts_versioned valid at event time (decision 0017).
-#}
select
    account_code
    , account_name
    , account_type
    , is_party_required
    , last_extract_date as extract_date
from {{ ref('int_gl_accounts_versioned') }}
where is_latest_version
