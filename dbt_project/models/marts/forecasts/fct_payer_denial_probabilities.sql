{#-
    Denial probability per payer as of the cut-off = Σ denied_claims / Σ adjudicated_claims of
    kpi_initial_denial_daily (the initial denial KPI's own numerator and denominator, not a
    second definition) over first adjudications on or before the cut-off; payer_id '*' = all
    payers (the fallback of a payer without adjudications).
-#}
with cutoff as (

    select as_of_date from {{ ref('forecast_as_of_date') }}

)

, adjudications as (

    select daily.payer_id, daily.adjudicated_claims, daily.denied_claims
    from {{ ref('kpi_initial_denial_daily') }} as daily
    inner join cutoff
        on daily.kpi_date <= cutoff.as_of_date
    where daily.payer_id is not null

)

, by_payer as (

    select payer_id, sum(adjudicated_claims) as adjudicated_claims, sum(denied_claims) as denied_claims
    from adjudications
    group by payer_id

    union all

    select '*', sum(adjudicated_claims), sum(denied_claims)
    from adjudications

)

select
    cutoff.as_of_date
    , cast(by_payer.payer_id as varchar) as payer_id
    , cast(coalesce(by_payer.adjudicated_claims, 0) as bigint) as adjudicated_claims
    , cast(coalesce(by_payer.denied_claims, 0) as bigint) as denied_claims
    , cast(coalesce({{ safe_divide('by_payer.denied_claims', 'by_payer.adjudicated_claims') }}, 0) as float8)
        as denial_probability
from by_payer
cross join cutoff
