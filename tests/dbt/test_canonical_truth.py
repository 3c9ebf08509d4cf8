"""The canonical layer (models/intermediate) against the simulator's truth on the full claims
lifecycle: 999 and 277CA rejections, corrections, replacements and voids, secondary claims,
reversals, denials with appeals and write-offs, patient accounting, PLB, bank deposits, and
master data that changes over the window (decisions 0017, 0018).

One small network is generated (one facility, 60 days, weekly ERP extracts, delivery faults on,
the lifecycle's rates raised and its delays shortened so that every path shows up in a short
window), landed with the real landing code and built once for the module (models only: the
data and unit tests run in test_dbt_build.py and the end-to-end test).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.formats import PARSERS
from ingest.landing import ensure_raw_schema, land_file
from ingest.pipeline import source_files

dbt_main = pytest.importorskip("dbt.cli.main")

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PSEUDONYM_KEY = "test-key"
SEED, FACILITIES, DAYS = 29, 1, 60
CANONICAL_MODELS = (
    "+int_claims_assembled",
    "+int_bank_deposits_reassociated",
    "+int_provider_adjustments_classified",
)

# truth/claims.csv column -> int_claims_assembled column (compared as text, amounts as Decimal)
CLAIM_COLUMNS = {
    "facility_code": "facility_code",
    "service_date": "service_date",
    "booked_date": "booked_date",
    "submission_date": "submission_date",
    "charge_amount": "charge_amount",
    "expected_reimbursement": "expected_reimbursement",
    "first_transmission_date": "first_transmission_date",
    "transmission_count": "transmission_count",
    "resubmission_count": "resubmission_count",
    "first_acknowledgement_category": "first_acknowledgment_category",
    "first_pass_accepted": "is_first_pass_accepted",
    "rejection_count": "acknowledgment_rejection_count",
    "voided": "is_voided",
    "final_frequency_code": "final_frequency_code",
    "first_adjudication_date": "first_adjudication_date",
    "first_adjudication_denied": "is_first_adjudication_denied",
    "first_payment_date": "first_payment_date",
    "last_adjudication_date": "last_adjudication_date",
    "reversal_count": "reversal_count",
    "paid_amount": "paid_amount",
    "patient_responsibility_amount": "patient_responsibility_amount",
    "contractual_amount": "contractual_adjustment_amount",
    "underpayment_amount": "underpayment_amount",
    "first_denial_carc": "first_denial_carc",
    "appeal_deadline_date": "appeal_deadline_date",
    "appeal_filed_date": "appeal_filed_date",
    "appeal_outcome": "appeal_outcome",
    "denial_resolution": "denial_resolution",
    "denial_resolution_date": "denial_resolution_date",
    "denial_write_off_date": "denial_write_off_date",
    "denial_write_off_amount": "denial_write_off_amount",
    "secondary_paid_amount": "secondary_paid_amount",
    "patient_paid_amount": "patient_paid_amount",
    "patient_refund_amount": "refund_amount",
    "patient_write_off_amount": "write_off_amount",
}
# amounts compare as numbers; an empty amount and 0 are the same (the truth leaves a claim's
# paid amount empty before any remittance and says 0.00 for a secondary claim not yet sent)
AMOUNTS = {name for name in CLAIM_COLUMNS if name.endswith("_amount")}


def pseudonym(value: str) -> str:
    return hashlib.md5((PSEUDONYM_KEY + value).encode()).hexdigest()


def read_truth(landing: Path, name: str) -> list[dict[str, str]]:
    with (landing / "truth" / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def compressed_lifecycle():  # -> simulator.claims.params.ClaimsParams
    """More rejections, replacements, voids, underpayments and appeals, and shorter delays
    (appeal decisions, write-offs, reprocessing, bad debt), so one facility over 60 days shows
    every path of the lifecycle."""
    from simulator.claims.params import ClaimsParams

    appeals = (("197", 0.8), ("50", 0.8), ("B7", 0.8), ("29", 0.5), ("16", 0.6))
    return dataclasses.replace(
        ClaimsParams(),
        batch_rejection_rate=0.06,
        rejection_rate=0.08,
        higher_level_rejection_rate=0.05,
        replacement_rate=0.04,
        void_rate=0.03,
        underpayment_rate=0.08,
        reprocessing_days=(7, 14),
        appeal_rates=appeals,
        appeal_filing_days=(2, 8),
        appeal_decision_days=(5, 12),
        write_off_days=(5, 15),
        bad_debt_days=20,
    )


def land_in_memory(landing: Path, warehouse: Path) -> None:
    """The real landing code, one transaction per file, in memory; then saved to the file."""
    with duckdb.connect(":memory:") as con:
        ensure_raw_schema(con)
        for source, parser in PARSERS.items():
            folder = landing / source
            for path in source_files(folder):
                relative = f"{source}/{path.relative_to(folder).as_posix()}"
                land_file(con, path, source, parser.parse, parser.PARSER_VERSION, relative)
        con.execute(f"attach '{warehouse}' as warehouse")
        con.execute("copy from database memory to warehouse")


def build_canonical_models(warehouse: Path, work: Path) -> None:
    env = {
        "HCOPS_WAREHOUSE": str(warehouse),
        "HCOPS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        result = dbt_main.dbtRunner().invoke([
            "--quiet", "build", "--select", *CANONICAL_MODELS,
            "--exclude-resource-type", "test", "unit_test",
            "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ])  # fmt: skip
        assert result.success, f"dbt build failed: {result.exception}"
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(landing folder with the truth, warehouse with the canonical models built)."""
    from simulator import generate
    from simulator.scheduling import SchedulingParams

    work = tmp_path_factory.mktemp("canonical")
    landing = work / "landing"
    generate(
        landing,
        facilities=FACILITIES,
        days=DAYS,
        seed=SEED,
        start=dt.date(2026, 1, 5),
        claims=compressed_lifecycle(),
        scheduling=SchedulingParams(master_extracts="weekly"),
    )
    warehouse = work / "warehouse.duckdb"
    land_in_memory(landing, warehouse)
    build_canonical_models(warehouse, work)
    return landing, warehouse


def query(warehouse: Path, sql: str) -> list[dict[str, object]]:
    # not read_only: dbt-duckdb keeps its own read-write connection open in this process
    with duckdb.connect(str(warehouse)) as con:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_primary_claims_equal_the_truth_field_by_field(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    truth = {pseudonym(r["claim_id"]): r for r in read_truth(landing, "claims.csv")}
    model = {
        row["claim_key"]: row
        for row in query(
            warehouse,
            """select *, cast(booked_at as date) as booked_date
            from intermediate.int_claims_assembled
            where payer_responsibility = 'P' and has_submission""",
        )
    }
    assert len(truth) > 500  # a real sample with every lifecycle path
    assert set(model) == set(truth)
    lifecycle = {
        "resubmitted": sum(r["resubmission_count"] != "0" for r in truth.values()),
        "voided": sum(r["voided"] == "true" for r in truth.values()),
        "denied": sum(r["first_denial_carc"] != "" for r in truth.values()),
        "appealed": sum(r["appeal_filed_date"] != "" for r in truth.values()),
        "written off": sum(r["denial_write_off_date"] != "" for r in truth.values()),
        "reversed": sum(r["reversal_count"] != "0" for r in truth.values()),
        "overturned": sum(r["appeal_outcome"] == "overturned" for r in truth.values()),
        "refunded": sum(r["patient_refund_amount"] not in ("", "0.00") for r in truth.values()),
        "secondary": sum(r["secondary_submission_date"] != "" for r in truth.values()),
    }
    assert all(count > 0 for count in lifecycle.values()), lifecycle

    mismatches: dict[str, list[tuple[str, str, str]]] = {}
    for key, expected in truth.items():
        row = model[key]
        for truth_column, model_column in CLAIM_COLUMNS.items():
            want, got = expected[truth_column], row[model_column]
            if truth_column in AMOUNTS:
                same = Decimal(want or 0) == Decimal(str(got if got is not None else 0))
            else:
                same = want == as_text(got)
            if not same:
                mismatches.setdefault(truth_column, []).append(
                    (expected["claim_id"], want, as_text(got))
                )
    assert not mismatches, {column: rows[:3] for column, rows in mismatches.items()}


def test_secondary_claims_link_to_their_primary(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    submitted = {
        pseudonym(r["claim_id"]): r["secondary_payer_id"]
        for r in read_truth(landing, "claims.csv")
        if r["secondary_submission_date"]
    }
    rows = query(
        warehouse,
        """select primaries.claim_key, secondaries.payer_id,
            primaries.secondary_claim_identity_key = secondaries.claim_identity_key as linked
        from intermediate.int_claims_assembled as secondaries
        join intermediate.int_claims_assembled as primaries
            on primaries.claim_identity_key = secondaries.primary_claim_identity_key
        where secondaries.payer_responsibility = 'S'""",
    )
    assert {row["claim_key"]: row["payer_id"] for row in rows} == submitted
    assert all(row["linked"] for row in rows)


def test_remits_without_submission_are_claims_of_their_own(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    submitted = {
        (r["claim_id"], r["payer_id"])
        for r in read_truth(landing, "claim_events.csv")
        if r["event_type"] == "submission" and r["status"] == "accepted"
    }
    orphans = {
        (pseudonym(r["claim_id"]), r["payer_id"])
        for r in read_truth(landing, "claim_events.csv")
        if r["event_type"] in ("adjudication", "reversal")
        and (r["claim_id"], r["payer_id"]) not in submitted
    }
    rows = query(
        warehouse,
        """select claim_key, payer_id from intermediate.int_claims_assembled
        where not has_submission""",
    )
    assert orphans
    assert {(r["claim_key"], r["payer_id"]) for r in rows} == orphans


def test_deposits_reassociate_with_their_835s(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    events = read_truth(landing, "claim_events.csv")
    window_end = dt.date.fromisoformat(
        json.loads((landing / "truth" / "kpis.json").read_text())["window_end"]
    )
    remittances = {r["reference"]: r["status"] for r in events if r["event_type"] == "remittance"}
    deposits = {r["reference"]: r["status"] for r in events if r["event_type"] == "deposit"}

    payments = query(
        warehouse,
        """select trace_number, reassociation_status, payment_date
        from intermediate.int_remittance_payments_reassociated""",
    )
    assert {p["trace_number"] for p in payments} == set(remittances)
    for payment in payments:
        expected = remittances[payment["trace_number"]]
        status = payment["reassociation_status"]
        if expected == "deposited":
            assert status == "matched", payment
        elif expected == "missing_deposit":  # the truth counts a deposit due by the window end
            assert status in ("missing_deposit", "awaiting_deposit"), payment
            assert payment["payment_date"] <= window_end
        else:
            assert status != "matched", payment

    banked = query(
        warehouse,
        """select trace_number, reassociation_status
        from intermediate.int_bank_deposits_reassociated""",
    )
    assert {d["trace_number"]: d["reassociation_status"] for d in banked} == {
        trace: "matched" if status == "matched" else "unmatched"
        for trace, status in deposits.items()
    }


def test_provider_adjustments_balance_every_payment(network: tuple[Path, Path]) -> None:
    _, warehouse = network
    unbalanced = query(
        warehouse,
        """select payments.trace_number
        from intermediate.int_remittance_payments_reassociated as payments
        left join (
            select remittance_key, sum(paid_amount) as paid
            from intermediate.int_remittance_claims_classified group by remittance_key
        ) as claims on claims.remittance_key = payments.remittance_key
        left join (
            select remittance_key, sum(amount) as adjusted
            from intermediate.int_provider_adjustments_classified group by remittance_key
        ) as plb on plb.remittance_key = payments.remittance_key
        where payments.payment_amount <> coalesce(claims.paid, 0) - coalesce(plb.adjusted, 0)""",
    )
    classes = query(
        warehouse,
        """select adjustment_class, count(*) as n
        from intermediate.int_provider_adjustments_classified group by 1""",
    )
    assert unbalanced == []
    assert {c["adjustment_class"] for c in classes} <= {"interest", "recovery"}
    assert sum(c["n"] for c in classes) > 0


def test_encounters_carry_the_appointment_outcome(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    truth = {
        pseudonym(r["visit_number"]): r
        for r in read_truth(landing, "appointments.csv")
        if r["visit_number"]
    }
    rows = {
        r["visit_key"]: r
        for r in query(
            warehouse,
            """select visit_key, appointment_status, facility_code, legal_entity_code, service_date
            from intermediate.int_encounters_enriched where appointment_key is not null""",
        )
    }
    # the faults' phantom appointments (a facility absent from the master data) land and stay
    # visible as master-data exceptions: encounters of an unknown facility
    phantom_facilities = {
        locator.split("MSH-4=")[1]
        for locator in (
            r["locator"]
            for r in read_truth(landing, "faults.csv")
            if r["kind"] == "unknown_facility"
        )
    }
    phantoms = set(rows) - set(truth)
    assert phantom_facilities and {rows[v]["facility_code"] for v in phantoms} == phantom_facilities
    assert all(rows[v]["legal_entity_code"] is None for v in phantoms)
    assert set(truth) <= set(rows)
    status_names = {"completed": "completed", "noshow": "no_show", "cancelled": "cancelled"}
    for visit, expected in truth.items():
        row = rows[visit]
        assert status_names.get(row["appointment_status"]) == expected["final_status"], expected
        assert row["facility_code"] == expected["facility_code"]
        assert row["service_date"].isoformat() == expected["service_start"][:10]


def test_master_data_history_follows_the_erp_timeline(network: tuple[Path, Path]) -> None:
    landing, warehouse = network
    changes = {r["exception_kind"]: r for r in read_truth(landing, "master_data_exceptions.csv")}

    extracts = sorted(
        r["extract_date"]
        for r in query(warehouse, "select distinct extract_date from staging.stg_erp__providers")
    )

    def first_extract_on_or_after(day: str) -> dt.date:
        return next(d for d in extracts if d >= dt.date.fromisoformat(day))

    # the history moves at the first (weekly) extract that shows a change
    retired = changes["cost_center_retired"]
    retired_from = first_extract_on_or_after(retired["effective_date"])
    versions = query(
        warehouse,
        f"""select valid_to, is_current from intermediate.int_cost_centers_versioned
        where cost_center_code = '{retired["key"]}'""",
    )
    assert versions == [{"valid_to": retired_from, "is_current": False}]
    # encounters book to the retired cost center until its retirement, never after
    booked = query(
        warehouse,
        f"""select max(service_date) as last_day, count(*) as n
        from intermediate.int_encounters_enriched
        where cost_center_code = '{retired["key"]}'""",
    )[0]
    assert booked["n"] > 0 and booked["last_day"] < retired_from

    late = changes["provider_added_late"]
    provider = query(
        warehouse,
        f"""select valid_from from intermediate.int_providers_versioned
        where provider_npi = '{late["key"]}'""",
    )
    assert provider == [{"valid_from": first_extract_on_or_after(late["effective_date"])}]

    change = changes["contract_rate_change"]
    payer_id, service_code = change["key"].split("|")
    effective = dt.date.fromisoformat(change["effective_date"])
    rates = query(
        warehouse,
        f"""select service_date, contract_rate from intermediate.int_claim_lines_priced
        where payer_id = '{payer_id}' and procedure_code = '{service_code}'""",
    )
    before = {r["contract_rate"] for r in rates if r["service_date"] < effective}
    after = {r["contract_rate"] for r in rates if r["service_date"] >= effective}
    assert len(before) == 1 and len(after) == 1 and before != after
    assert Decimal(change["detail"].split()[3]) in after
