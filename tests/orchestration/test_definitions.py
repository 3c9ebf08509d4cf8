"""The asset graph as the UI shows it: a change to it shows up here in review."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.runner import prepare_dbt_manifest
from orchestration.settings import SOURCES, Settings


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    settings = Settings(home=tmp_path_factory.mktemp("home"), pseudonym_key="k")
    settings.export_env()
    prepare_dbt_manifest()
    return build_definitions(settings)


def _graph(defs: dg.Definitions) -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }


def test_landing_writeback_and_mart_assets(defs: dg.Definitions) -> None:
    graph = _graph(defs)
    landing = {f"raw_{s}" for s in SOURCES}
    assert landing <= set(graph)
    assert all(graph[key] == set() for key in landing)
    assert graph["erp_setup"] == {"raw_erp_master"}
    assert graph["erp_journal_postings"] == {"marts/fct_journal_feed", "erp_setup"}
    assert graph["erp_ledger_readback"] == {"erp_journal_postings"}
    # each format's raw tables are one landing asset upstream of its staging models
    assert graph["staging/stg_x12_835__remittance_claims"] == {"raw_x12_835"}
    assert graph["staging/stg_hl7_siu__appointment_events"] == {"raw_hl7_siu"}
    assert graph["staging/stg_fhir__appointment_events"] == {"raw_fhir"}
    assert graph["staging/stg_vendor_csv__appointment_events"] == {"raw_vendor_csv"}
    # the three feeds, and the facilities' time zones that put them on one clock (0028)
    assert graph["intermediate/int_appointments_sequenced"] == {
        f"staging/stg_{channel}__appointment_events"
        for channel in ("hl7_siu", "fhir", "vendor_csv")
    } | {"seeds/facility_time_zones"}
    marts = {key for key in graph if key.startswith("marts/")}
    assert {"marts/fct_claims", "marts/kpi_scorecard", "marts/fct_journal_feed"} <= marts


def test_checks_guard_conservation_dbt_tests_and_the_ledger(defs: dg.Definitions) -> None:
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs.resolve_asset_graph().asset_check_keys
    }
    for source in SOURCES:
        assert (f"raw_{source}", "received_equals_landed_duplicates_dead_lettered") in checks
        assert (f"raw_{source}", "dead_letter_rate") in checks
    assert ("erp_journal_postings", "no_failed_postings") in checks
    assert ("erp_ledger_readback", "ledger_matches_journal_feed") in checks
    dbt_checks = {name for asset, name in checks if "/" in asset}  # dbt assets: schema/model
    assert "unique_fct_journal_feed_feed_line_key" in dbt_checks
    assert len(dbt_checks) > 100


def test_one_in_process_job_materializes_everything(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("materialize_all")
    assert job.executor_def.name == dg.in_process_executor.name
    assert job.partitions_def is None  # routine landing: what is new, every source, one run
    assert job.asset_layer.executable_asset_keys == defs.resolve_asset_graph().get_all_asset_keys()


def test_the_replay_job_is_partitioned_by_delivery_day(defs: dg.Definitions) -> None:
    from orchestration.defs.partitions import landing_days

    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("replay_landing")
    assert job.partitions_def == landing_days
    replayed = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {f"raw_{s}" for s in SOURCES} | {
        "marts/kpi_scorecard",
        "erp_ledger_readback",
    } <= replayed
    assert not any(key.startswith("seeds/") for key in replayed)  # not fed by landing
    config = job.partitioned_config.get_run_config_for_partition_key("2026-03-02")
    assert config["ops"]["raw_hl7_siu"] == {"config": {"replay_day": "2026-03-02"}}
    # the assets themselves stay unpartitioned: dbt reads every day (decision 0016)
    assert all(graph.get(key).partitions_def is None for key in graph.get_all_asset_keys())


def test_mllp_sensor_rebuilds_what_depends_on_raw_hl7_siu(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    sensor = defs.resolve_sensor_def("mllp_inbox")
    assert sensor.asset_selection is not None
    selected = {k.to_user_string() for k in sensor.asset_selection.resolve(graph)}
    assert "raw_hl7_siu" not in selected  # the listener landed the messages already
    assert "staging/stg_hl7_siu__appointment_events" in selected
    assert "marts/kpi_scorecard" in selected
    assert "staging/stg_x12_835__remittance_claims" not in selected
    checks = {k.name for k in sensor.asset_selection.resolve_checks(graph)}
    assert "received_equals_landed_duplicates_dead_lettered" in checks


def test_daily_schedule_runs_everything_and_is_off(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("daily_run")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 5 * * *", "UTC")
    assert schedule.job_name == "materialize_all"


def test_no_blanket_retry_policy(defs: dg.Definitions) -> None:
    """Retries are for transient I/O only (orchestration.retries), never a failed test."""
    job = defs.resolve_job_def("materialize_all")
    assert all(node.retry_policy is None for node in job.graph.node_defs)


def test_replay_of_one_file_runs_the_replay_job_for_its_day(defs: dg.Definitions) -> None:
    import datetime as dt

    from orch_support import deliver, query, siu

    from orchestration.runner import delivery_day_of, replay_in

    settings = Settings(home=Path(os.environ["HCOPS_HOME"]), pseudonym_key="k")
    settings.ensure_dirs()  # DAGSTER_HOME, as `hcops` makes it
    folder = settings.source_dir("hl7_siu")
    deliver(folder, "a.hl7", siu("M1", "A1"), dt.datetime(2026, 3, 2, 12, 0))
    deliver(folder, "b.hl7", siu("M2", "A2"), dt.datetime(2026, 3, 2, 13, 0))
    day = delivery_day_of(settings, "hl7_siu", ["b.hl7"])
    assert day == "2026-03-02"
    outcome = replay_in(defs, day, ["hl7_siu"], ["b.hl7"], rebuild_downstream=False)
    assert outcome.success, outcome.summary()
    assert outcome.materialized == ["raw_hl7_siu"]
    rows = query(settings.warehouse, "select source_file, landed from raw.landing_batches")
    assert rows == [("hl7_siu/b.hl7", 1)]  # never landed before: the replay landed it
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(outcome.run_id)
    assert run is not None
    assert (run.job_name, run.tags["dagster/partition"]) == ("replay_landing", "2026-03-02")
