"""BAI2 bank files: one file per bank business day with deposits, one group, one account per
legal entity (its operating account), one 16 record per EFT deposit: type 165 (preauthorized
ACH credit), amount in cents, customer reference = the 835 TRN02, text = the CCD+ addenda
`TRN*1*<trace>*<payer TIN>\\`. A deposit reassociates with its 835 by TRN02 and amount
(BPR02); the truth lists the deliberately unmatched ones."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from simulator.claims.records import Deposit
from simulator.model import Simulation
from simulator.network import Network

BANK_ID = "021000089"


def account_number(entity_tax_id: str) -> str:
    return f"4{entity_tax_id}"


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def _file(network: Network, day_deposits: list[Deposit], file_id: int) -> str:
    day = day_deposits[0].date
    records = [f"01,{BANK_ID},HCOPS,{day:%y%m%d},0600,{file_id},,,2/",
               f"02,HCOPS,{BANK_ID},1,{day:%y%m%d},0600,USD,2/"]
    by_entity: dict[str, list[Deposit]] = defaultdict(list)
    for deposit in day_deposits:
        by_entity[deposit.entity_code].append(deposit)
    group_total = 0
    for code in sorted(by_entity):
        entity = network.legal_entity(code)
        account = [f"03,{account_number(entity.tax_id)},USD/"]
        total = 0
        for n, deposit in enumerate(by_entity[code], start=1):
            payer = network.payer(deposit.payer_id)
            cents = _cents(deposit.amount)
            total += cents
            account.append(f"16,165,{cents},0,{day:%y%m%d}{n:04d},{deposit.trace},"
                           f"{payer.name} HCCLAIMPMT TRN*1*{deposit.trace}*1{payer.tax_id}\\/")
        account.append(f"49,{total},{len(account) + 1}/")
        records += account
        group_total += total
    records.append(f"98,{group_total},{len(by_entity)},{len(records)}/")
    records.append(f"99,{group_total},1,{len(records) + 1}/")
    return "\n".join(records) + "\n"


def render(network: Network, simulation: Simulation) -> dict[str, str]:
    """File name -> content: `BAI2_<YYYYMMDD>.bai` per deposit day."""
    by_day: dict[str, list[Deposit]] = defaultdict(list)
    for deposit in simulation.revenue.deposits:
        by_day[f"{deposit.date:%Y%m%d}"].append(deposit)
    return {f"BAI2_{day}.bai": _file(network, deposits, n)
            for n, (day, deposits) in enumerate(sorted(by_day.items()), start=1)}
