"""The asset graph as the UI shows it: a change to it shows up here in review."""

from __future__ import annotations

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
    assert graph["intermediate/int_appointments_sequenced"] == {
        f"staging/stg_{channel}__appointment_events"
        for channel in ("hl7_siu", "fhir", "vendor_csv")
    }
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
    selected = job.asset_layer.executable_asset_keys if hasattr(job, "asset_layer") else None
    assert selected is None or len(selected) == len(_graph(defs))


def test_landing_sensor_requests_a_run_only_when_files_change(
    defs: dg.Definitions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from orchestration.defs.sensors import landing_folders_sensor
    from orchestration.resources import HcopsResource

    home = tmp_path_factory.mktemp("sensor_home")
    hcops = HcopsResource(home=str(home), pseudonym_key="k")
    (home / "landing" / "x12_835").mkdir(parents=True)
    (home / "landing" / "x12_835" / "a.x12").write_text("ISA*...")

    def tick(cursor: str | None) -> dg.SensorResult:
        context = dg.build_sensor_context(cursor=cursor, resources={"hcops": hcops})
        return landing_folders_sensor(context)

    first = tick(None)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].tags["hcops/sources"] == ",".join(SOURCES)
    assert tick(first.cursor).run_requests == []
    (home / "landing" / "x12_835" / "b.x12").write_text("ISA*...")
    third = tick(first.cursor)
    assert [r.tags["hcops/sources"] for r in third.run_requests] == ["x12_835"]
