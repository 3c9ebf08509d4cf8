"""Generate a network with a fixed seed, materialize everything in-process, and hold the
results to the simulator's truth, the ERP's ledger, and a second run that must change nothing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.marts import read_scorecard
from orchestration.runner import RunOutcome, materialize_all
from orchestration.settings import Settings
from simulator.truth import read_rows
from writeback.erp.tryton import TrytonLedger

HCOPS = Path(sys.executable).with_name("hcops")
KPIS = ("claim_cycle_time_median_days", "scheduling_to_revenue_lag_median_days")


def _truth(settings: Settings) -> dict:
    return json.loads((settings.landing / "truth" / "kpis.json").read_text())


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _assert_scorecard_matches(scorecard: dict, truth: dict) -> None:
    for name in KPIS:
        assert scorecard[name] == pytest.approx(truth[name], abs=1e-9), name
    assert scorecard["initial_denial_numerator"] == truth["initial_denial_rate_numerator"]
    assert scorecard["initial_denial_denominator"] == truth["initial_denial_rate_denominator"]
    assert scorecard["initial_denial_rate"] == pytest.approx(truth["initial_denial_rate"])


def test_kpis_equal_the_simulated_truth(e2e_settings: Settings, first_run: RunOutcome) -> None:
    truth = _truth(e2e_settings)
    assert truth["initial_denial_rate_denominator"] > 500  # a real sample, not a toy
    _assert_scorecard_matches(read_scorecard(e2e_settings.warehouse, "ALL"), truth)
    for facility, facility_truth in truth["by_facility"].items():
        _assert_scorecard_matches(read_scorecard(e2e_settings.warehouse, facility), facility_truth)


def test_malformed_file_is_dead_lettered_and_the_batch_goes_on(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    dead = _query(
        e2e_settings,
        """select source, source_file, error_class, reason, payload
           from raw.dead_letters""",
    )
    assert len(dead) == 1
    source, source_file, error_class, reason, payload = dead[0]
    assert (source, source_file) == ("x12_835", "x12_835/zz_truncated.x12")
    assert error_class == "Truncated" and "SE" in reason, reason
    assert "CLP*VNOTACLAIM" in payload
    unbalanced = _query(
        e2e_settings,
        """select count(*) from raw.landing_batches
           where received <> landed + duplicates + dead_lettered""",
    )
    assert unbalanced == [(0,)]
    assert not first_run.failed_checks


def test_erp_ledger_equals_the_journal_feed(e2e_settings: Settings, first_run: RunOutcome) -> None:
    feed = defaultdict(Decimal)
    for account, net in _query(
        e2e_settings,
        "select account_code, sum(debit) - sum(credit) from marts.fct_journal_feed group by 1",
    ):
        feed[account] = net
    ledger = defaultdict(Decimal)
    for balance in TrytonLedger(e2e_settings.erp_dir).read_balances():
        ledger[balance.account_code] += balance.net
    assert dict(ledger) == dict(feed)
    # independent of the pipeline: gross revenue = the charges of every simulated claim
    charges = sum(
        Decimal(r["charge_amount"])
        for r in read_rows(e2e_settings.landing / "truth" / "claims.csv")
    )
    assert -ledger["4000"] == charges
    paid = sum(
        Decimal(r["paid_amount"] or 0)
        for r in read_rows(e2e_settings.landing / "truth" / "claims.csv")
    )
    assert ledger["1010"] == paid
    moves = TrytonLedger(e2e_settings.erp_dir).moves()
    assert moves and all(m["state"] == "posted" for m in moves)
    assert all(m["debit"] == m["credit"] > 0 for m in moves)
    assert _query(e2e_settings, "select count(*) from writeback.reconciliation_breaks") == [(0,)]


def _fingerprint(settings: Settings) -> dict[str, object]:
    """Row count and content hash of every raw, staging, intermediate, mart and writeback
    table; the ERP's move keys."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        tables = con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_schema in ('raw', 'staging', 'intermediate', 'marts', 'writeback')
               order by 1, 2"""
        ).fetchall()
        fingerprint = {}
        for schema, table in tables:
            rows = con.execute(f"select * from {schema}.{table} order by all").fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            fingerprint[f"{schema}.{table}"] = (len(rows), digest)
    moves = TrytonLedger(settings.erp_dir).moves()
    fingerprint["erp.moves"] = sorted(m["hcops_key"] for m in moves)
    return fingerprint


def test_second_run_adds_nothing_and_posts_nothing(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    before = _fingerprint(e2e_settings)
    assert len(before["erp.moves"]) > 50
    second = materialize_all(e2e_settings)
    assert second.success, second.summary()
    assert _fingerprint(e2e_settings) == before


def test_full_refresh_rebuilds_the_same_warehouse_and_posts_nothing(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    """`hcops run --full-refresh` re-derives every incremental model from raw (decision 0025):
    after incremental runs it must give the same tables and post nothing new."""
    before = _fingerprint(e2e_settings)
    subprocess.run([str(HCOPS), "run", "--full-refresh"], check=True, capture_output=True)
    assert _fingerprint(e2e_settings) == before


def test_cli_kpis_json_prints_the_scorecard(e2e_settings: Settings, first_run: RunOutcome) -> None:
    output = subprocess.run(
        [str(HCOPS), "kpis", "--json"], check=True, capture_output=True, text=True
    ).stdout
    scorecard = json.loads(output)
    _assert_scorecard_matches(scorecard, _truth(e2e_settings))
    assert isinstance(scorecard["claim_cycle_time_median_days"], float)


def test_cli_inspect_prints_canonical_records(generated: Path) -> None:
    remit = sorted((generated / "x12_835").glob("835_*.x12"))[0]
    lines = subprocess.run(
        [str(HCOPS), "inspect", str(remit)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    payments = [r for r in records if r["kind"] == "remittance_payment"]
    claims = [r for r in records if r["kind"] == "remittance_claim"]
    assert payments and claims
    assert isinstance(claims[0]["paid_amount"], int | float)
    raw = remit.read_text()
    assert len(claims) == raw.count("CLP*")
    bpr_total = sum(p["payment_amount"] for p in payments)
    assert bpr_total == pytest.approx(sum(c["paid_amount"] for c in claims))


def test_cli_replay_redrives_dead_letters_without_duplicates(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    """Runs last in this module: a redrive attempt is recorded on the dead letter."""
    landed_before = _query(e2e_settings, "select count(*) from raw.remittance_claim")
    output = subprocess.run(
        [str(HCOPS), "replay", "--source", "x12_835"], check=True, capture_output=True, text=True
    ).stdout
    # the truncated 835 still cannot be read: examined, not resolved, nothing landed
    assert "examined 1: resolved 0, still failing 1; records landed 0" in output
    assert _query(e2e_settings, "select attempts from raw.dead_letters") == [(2,)]
    assert _query(e2e_settings, "select count(*) from raw.remittance_claim") == landed_before


def test_cli_replay_of_one_file_lands_nothing_twice(
    e2e_settings: Settings, first_run: RunOutcome
) -> None:
    """`hcops replay --file` re-parses a delivered 835 in the replay_landing job (its delivery
    day's partition): a new batch, every record a duplicate, no row added."""
    [(source_file,)] = _query(
        e2e_settings,
        "select min(source_file) from raw.landing_batches "
        "where source = 'x12_835' and landed > 0 and dead_lettered = 0",
    )
    name = source_file.removeprefix("x12_835/")
    count = "select count(*) from raw.remittance_claim"
    landed_before = _query(e2e_settings, count)
    output = subprocess.run(
        [str(HCOPS), "replay", "--source", "x12_835", "--file", name, "--land-only"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "succeeded" in output
    assert _query(e2e_settings, count) == landed_before
    batches = _query(
        e2e_settings,
        "select received, landed, duplicates from raw.landing_batches "
        f"where source_file = 'x12_835/{name}' order by received_at",
    )
    assert len(batches) == 2 and batches[1][0] == batches[0][0] > 0
    assert batches[1][1:] == (0, batches[0][0])
