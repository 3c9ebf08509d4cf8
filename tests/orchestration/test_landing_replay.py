"""Routine landing lands what is new; the replay of a delivery day (or of named files)
parses them again through ingest.replay without duplicates (docs/decisions/0016)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest
from orch_support import Runner, deliver, query, siu

from orchestration.defs.partitions import landing_days, replay_config

DAY1, DAY2 = "2026-03-02", "2026-03-03"
# MSH-7 is not an HL7 timestamp: the message is dead-lettered, the batch goes on
BAD = siu("M9", "A9").replace("20260105083000", "2026-01-05 09:00")
BATCHES = """select source_file, received, landed, duplicates, dead_lettered
             from raw.landing_batches order by received_at, source_file"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "landing" / "hl7_siu"
    deliver(folder, "day1_a.hl7", siu("M1", "A1"), dt.datetime(2026, 3, 2, 0, 0, 1))
    deliver(folder, "day1_b.hl7", siu("M2", "A2"), dt.datetime(2026, 3, 2, 17, 45))
    deliver(folder, "day2.hl7", siu("M3", "A3"), dt.datetime(2026, 3, 3, 23, 59, 30))
    deliver(folder, "sub/day2_bad.hl7", BAD, dt.datetime(2026, 3, 3, 8, 0))
    deliver(folder, "before_go_live.hl7", siu("M0", "A0"), dt.datetime(2019, 6, 1, 12, 0))
    return tmp_path / "home"


def _warehouse(home: Path) -> Path:
    return home / "warehouse.duckdb"


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [event] = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _control_ids(home: Path) -> list[str]:
    rows = query(_warehouse(home), "select message_control_id from raw.appointment_event")
    return sorted(r[0] for r in rows)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture
def landed(home: Path, run_landing: Runner) -> dg.ExecuteInProcessResult:
    """The routine landing of every file, once."""
    result = run_landing(home)
    assert result.success
    return result


def test_routine_landing_lands_every_new_file_once(
    home: Path, run_landing: Runner, landed: dg.ExecuteInProcessResult
) -> None:
    assert _control_ids(home) == ["M0", "M1", "M2", "M3"]
    assert query(_warehouse(home), "select source_file from raw.dead_letters") == [
        ("hl7_siu/sub/day2_bad.hl7",)
    ]
    metadata = _metadata(landed)
    assert (metadata["files_landed"], metadata["landed"], metadata["dead_lettered"]) == (5, 4, 1)
    checks = _checks(landed)
    assert checks["received_equals_landed_duplicates_dead_lettered"].passed
    rate = checks["dead_letter_rate"]  # 1 of 5 messages: above 2 %, a warning only
    assert not rate.passed and rate.severity == dg.AssetCheckSeverity.WARN
    before = query(_warehouse(home), BATCHES)
    again = run_landing(home)
    assert query(_warehouse(home), BATCHES) == before
    assert (_metadata(again)["files_landed"], _metadata(again)["files_already_landed"]) == (0, 5)


def test_replaying_a_day_parses_that_days_files_again_without_duplicates(
    home: Path, run_landing: Runner, landed: dg.ExecuteInProcessResult
) -> None:
    for attempt in (2, 3):  # replaying the same day twice is as harmless as once
        replay = run_landing(home, day=DAY2)
        assert replay.success
        assert sorted(query(_warehouse(home), BATCHES)[-2:]) == [
            ("hl7_siu/day2.hl7", 1, 0, 1, 0),  # landed before: a duplicate, no second row
            ("hl7_siu/sub/day2_bad.hl7", 1, 0, 0, 1),  # still unreadable: the same letter
        ]
        assert query(_warehouse(home), "select attempts from raw.dead_letters") == [(attempt,)]
    assert len(query(_warehouse(home), BATCHES)) == 5 + 2 + 2
    assert _control_ids(home) == ["M0", "M1", "M2", "M3"]
    metadata = _metadata(replay)
    assert metadata["mode"] == f"replay of {DAY2}"
    assert (metadata["files"], metadata["duplicates"], metadata["landed"]) == (2, 1, 0)
    assert _checks(replay)["received_equals_landed_duplicates_dead_lettered"].passed


def test_a_replay_lands_what_the_first_landing_missed(home: Path, run_landing: Runner) -> None:
    """A day replayed before its files were ever landed lands them: replay is a superset."""
    replay = run_landing(home, day=DAY1)
    assert replay.success
    assert _control_ids(home) == ["M1", "M2"]
    assert query(_warehouse(home), BATCHES) == [
        ("hl7_siu/day1_a.hl7", 1, 1, 0, 0),
        ("hl7_siu/day1_b.hl7", 1, 1, 0, 0),
    ]


def test_replaying_one_file_of_a_day(
    home: Path, run_landing: Runner, landed: dg.ExecuteInProcessResult
) -> None:
    replay = run_landing(home, day=DAY1, config={"replay_files": ["day1_b.hl7"]})
    assert replay.success
    assert query(_warehouse(home), BATCHES)[5:] == [("hl7_siu/day1_b.hl7", 1, 0, 1, 0)]


def test_replaying_a_file_by_name_needs_no_day(
    home: Path, run_landing: Runner, landed: dg.ExecuteInProcessResult
) -> None:
    """A file delivered before the first replay partition is replayed by name."""
    assert DAY1 in landing_days.get_partition_keys()
    assert "2019-06-01" not in landing_days.get_partition_keys()
    replay = run_landing(home, config={"replay_files": ["before_go_live.hl7"]})
    assert replay.success
    assert query(_warehouse(home), BATCHES)[5:] == [("hl7_siu/before_go_live.hl7", 1, 0, 1, 0)]


def test_a_file_of_another_day_fails_the_replay_at_once(home: Path, run_landing: Runner) -> None:
    result = run_landing(home, day=DAY1, config={"replay_files": ["day2.hl7"]})
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None and f"not delivered on {DAY1}" in failure.message
    up_for_retry = dg.DagsterEventType.STEP_UP_FOR_RETRY
    assert not [e for e in result.all_events if e.event_type == up_for_retry]
    assert not _warehouse(home).exists()  # nothing landed, not even the raw schema


def test_a_replay_day_that_is_not_a_day_fails(home: Path, run_landing: Runner) -> None:
    result = run_landing(home, config={"replay_day": "2026-3-2"})
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert failure is not None and "is not a day" in failure.message


def test_the_replay_partition_configures_every_landing_asset() -> None:
    config = replay_config.get_run_config_for_partition_key(DAY2)
    assert config["ops"]["raw_x12_835"] == {"config": {"replay_day": DAY2}}
    assert len(config["ops"]) == 11
