"""No second shift of HL7 times written with a UTC offset (decision 0028), ingest to canonical.

The same bookings at NHO (seed facility_time_zones: America/New_York) are sent as real SIU
messages twice: once as the simulated feeds write them (wall clock, no offset) and once with
the offsets of the day (`-0500` in March, `-0400` in July), plus once by a sender writing
`+0100`. They are landed by the real reader into a throw-away warehouse and only the affected
models are built (--select). Every copy must give the same canonical UTC times, the same local
days and the same MSH-7 latency; reading an offset time in the facility's zone again would move
it by 5 (4) hours.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from dbt_network import PSEUDONYM_KEY, dbt_build, scoped_env

from ingest.formats import hl7_siu
from ingest.landing import ensure_raw_schema, land_bytes

pytest.importorskip("dbt.cli.main")

AFFECTED_MODELS = (
    "facility_time_zones stg_hl7_siu__appointment_events stg_fhir__appointment_events"
    " stg_vendor_csv__appointment_events int_appointment_events_ordered"
    " int_appointments_sequenced stg_landing__message_latencies"
)
# booking: (MSH-7, start, end) as the clinic's wall clock; the copies write them with offsets
EVENING_IN_MARCH = ("20260302183000", "20260302213000", "20260302215000")  # EST, UTC-5
MORNING_IN_JULY = ("20260701091500", "20260713090000", "20260713093000")  # EDT, UTC-4
# arrival (file modification time, UTC) of each day's file: 30 and 45 minutes after MSH-7
MARCH_ARRIVAL = dt.datetime(2026, 3, 3, 0, 0)
JULY_ARRIVAL = dt.datetime(2026, 7, 1, 14, 0)


def _siu(appointment: str, control_id: str, msh7: str, start: str, end: str) -> str:
    """A booking as simulator/writers/hl7_siu.py writes it (TQ1 / SCH-11 / AIS / AIL)."""
    segments = [
        f"MSH|^~\\&|HCOPS_SCHED|NHO|HCOPS|HCOPS|{msh7}||SIU^S12^SIU_S12|{control_id}|P|2.5.1",
        f"SCH|P{appointment}|{appointment}|||||ROUTINE|NORMAL|20|min|^^20^{start}"
        "||||||||||||||Booked",
        f"TQ1|1|||||20^min|{start}|{end}|R",
        f"PID|1||MRN{appointment}^^^NHO^MR||DOE^JANE||19800101|F",
        f"PV1|1|O|PC^R1^^NHO||||1234567893^SMITH^ANN^^^^^^NPI||||||||||||V{appointment}",
        "RGS|1|A",
        f"AIS|1|A|99213^Office visit^CPT|{start}|||20|min||Booked",
        f"AIL|1|A|PC^R1^^NHO|||{start}|||20|min||Booked",
    ]
    return "\r".join(segments) + "\r\n"


def _copies(name: str, wall: tuple[str, str, str], offset: str) -> dict[str, str]:
    """Appointment id -> message: wall clock, with the zone's offset, from a `+0100` sender."""
    msh7, start, end = wall
    in_utc = [dt.datetime.strptime(v, "%Y%m%d%H%M%S") + _delta(offset) for v in wall]
    in_paris = [(v + dt.timedelta(hours=1)).strftime("%Y%m%d%H%M%S") + "+0100" for v in in_utc]
    return {
        f"{name}W": _siu(f"{name}W", f"{name}-1", msh7, start, end),
        f"{name}Z": _siu(f"{name}Z", f"{name}-2", *(v + offset for v in wall)),
        f"{name}P": _siu(f"{name}P", f"{name}-3", *in_paris),
    }


def _delta(offset: str) -> dt.timedelta:
    """What to add to a wall time written with `offset` to make it UTC."""
    sign = -1 if offset[0] == "+" else 1
    return sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))


FILES = {
    "hl7_siu/SIU_NHO_20260302.hl7": (_copies("M", EVENING_IN_MARCH, "-0500"), MARCH_ARRIVAL),
    "hl7_siu/SIU_NHO_20260701.hl7": (_copies("J", MORNING_IN_JULY, "-0400"), JULY_ARRIVAL),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hl7_offsets")
    path = work / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
        for name, (messages, arrival) in FILES.items():
            result = land_bytes(
                con, "".join(messages.values()).encode(), hl7_siu.SOURCE, hl7_siu.parse,
                hl7_siu.PARSER_VERSION, name, delivered_at=arrival,
            )  # fmt: skip
            assert (result.landed, result.dead_lettered) == (len(messages), 0)
    env = {
        "HCOPS_WAREHOUSE": str(path),
        "HCOPS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    with scoped_env(env):
        skip_tests = ("--exclude-resource-type", "test", "unit_test")
        dbt_build("duckdb", work, "--select", AFFECTED_MODELS, *skip_tests)
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql).fetchall()


def _by_message(path: Path, sql: str) -> dict[str, tuple]:
    """Rows keyed by control id (MSH-10), joined through the landing key."""
    keyed = _rows(
        path,
        f"""
        select raw.message_control_id, canonical.*
        from raw.appointment_event as raw
        inner join ({sql}) as canonical on canonical.record_key = raw.record_key""",
    )
    return {row[0]: row[2:] for row in keyed}


def test_offsets_landed_per_time(warehouse: Path) -> None:
    rows = _rows(
        warehouse,
        "select message_control_id, event_time_utc_offset, start_time_utc_offset"
        " from raw.appointment_event order by 1",
    )
    assert rows == [
        ("J-1", None, None), ("J-2", "-0400", "-0400"), ("J-3", "+0100", "+0100"),
        ("M-1", None, None), ("M-2", "-0500", "-0500"), ("M-3", "+0100", "+0100"),
    ]  # fmt: skip


def test_same_utc_times_and_local_days_with_or_without_offsets(warehouse: Path) -> None:
    events = _by_message(
        warehouse,
        "select event_key as record_key, event_time, start_time, start_date, time_zone"
        " from intermediate.int_appointment_events_ordered",
    )
    march = (dt.datetime(2026, 3, 2, 23, 30), dt.datetime(2026, 3, 3, 2, 30), dt.date(2026, 3, 2))
    july = (dt.datetime(2026, 7, 1, 13, 15), dt.datetime(2026, 7, 13, 13, 0), dt.date(2026, 7, 13))
    for copy in ("1", "2", "3"):
        # 21:30 EST is 02:30 UTC the next day, counted on the clinic's day (2 March)
        assert events[f"M-{copy}"] == (*march, "America/New_York"), copy
        assert events[f"J-{copy}"] == (*july, "America/New_York"), copy

    appointments = _rows(
        warehouse,
        "select booked_at, start_time, booked_date, appointment_date, count(*)"
        " from intermediate.int_appointments_sequenced group by all order by 1",
    )
    assert appointments == [
        (dt.datetime(2026, 3, 2, 23, 30), dt.datetime(2026, 3, 3, 2, 30),
         dt.date(2026, 3, 2), dt.date(2026, 3, 2), 3),
        (dt.datetime(2026, 7, 1, 13, 15), dt.datetime(2026, 7, 13, 13, 0),
         dt.date(2026, 7, 1), dt.date(2026, 7, 13), 3),
    ]  # fmt: skip


def test_same_msh7_latency_with_or_without_offsets(warehouse: Path) -> None:
    latencies = _by_message(
        warehouse,
        "select message_key as record_key, source_event_at_utc, source_time_zone,"
        " latency_seconds from staging.stg_landing__message_latencies",
    )
    # the zone is named only where MSH-7 was a wall clock read in it
    assert latencies["M-1"] == (dt.datetime(2026, 3, 2, 23, 30), "America/New_York", 1800)
    assert latencies["M-2"] == latencies["M-3"] == (dt.datetime(2026, 3, 2, 23, 30), None, 1800)
    assert latencies["J-1"] == (dt.datetime(2026, 7, 1, 13, 15), "America/New_York", 2700)
    assert latencies["J-2"] == latencies["J-3"] == (dt.datetime(2026, 7, 1, 13, 15), None, 2700)
