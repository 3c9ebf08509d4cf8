"""The FHIR `_lastUpdated` poller against a real HTTP server on 127.0.0.1 (stdlib http.server)
serving searchset Bundles of the simulator's FHIR export: paging, cursor and overlap,
re-poll idempotency, failures that leave the cursor alone."""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.fhir_poller import FhirPollError, load_cursors, poll_fhir
from ingest.formats import fhir_appointment
from ingest.landing import record_key
from ingest.pipeline import land_source
from ingest.records import DeadLetter
from simulator.generate import simulate
from simulator.writers import fhir as fhir_writer

TYPES = ("Appointment", "Slot", "Schedule")
TABLES = ("appointment_event", "schedule_slot", "provider_schedule")
FACILITY = "RVC"  # the simulated network's FHIR facility (seed 5, 3 facilities)


@pytest.fixture(scope="module")
def export_days() -> list[list[dict[str, Any]]]:
    """The simulator's FHIR export of one facility, one resource list per export day."""
    network, simulation = simulate(facilities=3, days=8, seed=5, start=dt.date(2026, 1, 5))
    files = fhir_writer.render(network, simulation)
    days: dict[str, list[dict[str, Any]]] = {}
    for name, text in sorted(files.items()):
        facility, day, _ = name.split("/")
        if facility == FACILITY:
            days.setdefault(day, []).extend(json.loads(line) for line in text.splitlines())
    assert len(days) >= 6
    return list(days.values())


class Store:
    """What the fake server holds: the current version of each resource, by type and id."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TYPES}
        self.fail: tuple[str, int, int] | None = None  # (type, offset, HTTP status)
        self.next_host: str | None = None  # put next links on another host
        self.requests: list[str] = []

    def publish(self, resources: list[dict[str, Any]]) -> None:
        for resource in resources:
            self.resources[resource["resourceType"]][resource["id"]] = resource

    def served(self) -> list[dict[str, Any]]:
        return [r for by_id in self.resources.values() for r in by_id.values()]


def updated(resource: dict[str, Any]) -> dt.datetime:
    value = fhir_appointment.instant(resource["meta"]["lastUpdated"], "meta.lastUpdated")
    assert value is not None
    return value


def outcome(code: str) -> dict[str, Any]:
    issue = {"severity": "error", "code": code, "diagnostics": "patient MRN123 not found"}
    return {"resourceType": "OperationOutcome", "issue": [issue]}


class Handler(BaseHTTPRequestHandler):
    """GET /fhir/<type>?_lastUpdated=gt<instant>&_count=N[&_offset=K] -> searchset Bundle."""

    server: FhirServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        store = self.server.store
        store.requests.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        resource_type = url.path.rsplit("/", 1)[-1]
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        offset, count = int(query.get("_offset", "0")), int(query["_count"])
        if store.fail and store.fail[:2] == (resource_type, offset):
            self._send(store.fail[2], outcome("transient"))
            return
        if resource_type not in store.resources:
            self._send(404, outcome("not-supported"))
            return
        since = query.get("_lastUpdated")
        after = fhir_appointment.instant(since[2:], "_lastUpdated") if since else None
        assert since is None or since.startswith("gt")
        matches = sorted(
            (r for r in store.resources[resource_type].values() if not after or updated(r) > after),
            key=lambda r: (updated(r), r["id"]),
        )
        page = matches[offset : offset + count]
        host = store.next_host or f"127.0.0.1:{self.server.server_port}"
        links = [{"relation": "self", "url": f"http://{host}{self.path}"}]
        if offset + count < len(matches):
            after_query = urllib.parse.urlencode({**query, "_offset": offset + count})
            links.append({"relation": "next", "url": f"http://{host}{url.path}?{after_query}"})
        entries = [
            {"fullUrl": f"{resource_type}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in page
        ]
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(matches)}
        stamp = dt.datetime.now(dt.UTC).isoformat()  # a page is never the same twice
        self._send(200, {**bundle, "timestamp": stamp, "link": links, "entry": entries})

    def _send(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class FhirServer(ThreadingHTTPServer):
    def __init__(self, store: Store) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.store = store


@pytest.fixture
def server() -> Iterator[FhirServer]:
    httpd = FhirServer(Store())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def base_url(server: FhirServer) -> str:
    return f"http://127.0.0.1:{server.server_port}/fhir"


def expected_keys(resources: list[dict[str, Any]]) -> set[str]:
    """Record keys of the resources read directly by the reader (no server, no paging)."""
    data = "\n".join(json.dumps(r) for r in resources).encode()
    items = list(fhir_appointment.parse(data, f"fhir/{FACILITY}/direct.ndjson"))
    assert not [i for i in items if isinstance(i, DeadLetter)]
    return {record_key(i) for i in items}


def landed_keys(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sql = " union all ".join(f"select record_key from raw.{t}" for t in TABLES)
        return {key for (key,) in con.execute(sql).fetchall()}


def unconserved_batches(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select count(*) from raw.landing_batches "
            "where received <> landed + duplicates + dead_lettered"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_pages_land_once_and_the_cursor_follows(
    server: FhirServer, export_days: list[list[dict[str, Any]]], tmp_path: Path
) -> None:
    warehouse, cursor_file = tmp_path / "wh.duckdb", tmp_path / "state" / "fhir_cursor.json"
    store = server.store
    for day in export_days[:4]:
        store.publish(day)
    first_state = store.served()

    first = poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, page_size=25)
    per_type = {t: len(store.resources[t]) for t in TYPES}
    assert first.pages == sum(max(1, math.ceil(n / 25)) for n in per_type.values())
    assert first.resources == sum(per_type.values()) and first.dead_lettered == 0
    assert landed_keys(warehouse) == expected_keys(first_state)
    assert first.landed == len(expected_keys(first_state))
    cursors = load_cursors(cursor_file)[base_url(server)]
    for resource_type in TYPES:
        newest = max(updated(r) for r in store.resources[resource_type].values())
        assert cursors[resource_type] == newest.isoformat() + "Z"

    # nothing changed: the overlap re-reads the newest resources, nothing new lands
    again = poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, page_size=25)
    assert (again.landed, again.dead_lettered) == (0, 0) and again.duplicates > 0
    assert again.cursors == cursors and landed_keys(warehouse) == expected_keys(first_state)
    assert all("_lastUpdated=gt" in r for r in store.requests[first.pages :])

    for day in export_days[4:]:
        store.publish(day)
    cutoff = {t: fhir_appointment.instant(cursors[t], "cursor") for t in TYPES}
    later = poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, page_size=25)
    overlap = dt.timedelta(minutes=5)
    changed = [r for r in store.served() if updated(r) > cutoff[r["resourceType"]] - overlap]
    assert later.resources == len(changed) < len(store.served())  # only what changed
    assert landed_keys(warehouse) == expected_keys(first_state) | expected_keys(store.served())
    assert later.landed > 0 and unconserved_batches(warehouse) == 0


def test_a_resource_written_at_the_cursor_instant_is_not_skipped(
    server: FhirServer, export_days: list[list[dict[str, Any]]], tmp_path: Path
) -> None:
    warehouse, cursor_file = tmp_path / "wh.duckdb", tmp_path / "cursor.json"
    store = server.store
    store.publish(export_days[0])
    poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, resource_types=["Appointment"])
    cursor = load_cursors(cursor_file)[base_url(server)]["Appointment"]
    newest = max(store.resources["Appointment"].values(), key=updated)
    late = {**newest, "id": "LATE1", "meta": dict(newest["meta"])}  # same lastUpdated
    store.publish([late])

    exact = poll_fhir(
        warehouse, base_url(server), cursor_file, FACILITY,
        resource_types=["Appointment"], overlap=dt.timedelta(0),
    )  # fmt: skip
    assert exact.landed == 0  # `gt<cursor>` alone misses it
    with_overlap = poll_fhir(
        warehouse, base_url(server), cursor_file, FACILITY, resource_types=["Appointment"]
    )
    assert with_overlap.landed == len(expected_keys([late])) > 0
    assert landed_keys(warehouse) >= expected_keys([late])
    assert load_cursors(cursor_file)[base_url(server)]["Appointment"] == cursor


def test_a_failure_mid_poll_leaves_the_cursor_and_the_retry_completes(
    server: FhirServer, export_days: list[list[dict[str, Any]]], tmp_path: Path
) -> None:
    warehouse, cursor_file = tmp_path / "wh.duckdb", tmp_path / "cursor.json"
    inbox = tmp_path / "landing" / "fhir"
    store = server.store
    for day in export_days[:3]:
        store.publish(day)
    store.fail = ("Appointment", 20, 503)  # the second page of Appointment
    poll = {"page_size": 20, "inbox": inbox}
    with pytest.raises(FhirPollError, match=r"/fhir/Appointment\?.*HTTP 503") as failure:
        poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, **poll)  # type: ignore[arg-type]
    assert failure.value.transient and "error/transient" in str(failure.value)
    assert "MRN123" not in str(failure.value)  # the server's free text may hold PHI
    assert not cursor_file.exists()  # nothing advanced
    partial = landed_keys(warehouse)
    assert 0 < len(partial) < len(expected_keys(store.served()))

    store.fail = ("Slot", 0, 404)  # Appointment passes now, Slot fails: still all or nothing
    with pytest.raises(FhirPollError, match="HTTP 404") as failure:
        poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, **poll)  # type: ignore[arg-type]
    assert not failure.value.transient and not cursor_file.exists()

    store.fail = None
    done = poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, **poll)  # type: ignore[arg-type]
    assert set(load_cursors(cursor_file)[base_url(server)]) == set(TYPES)
    assert landed_keys(warehouse) == expected_keys(store.served())
    assert done.duplicates > 0 and unconserved_batches(warehouse) == 0

    # the inbox keeps every landed page, with its arrival time; the file sweep skips them
    with duckdb.connect(str(warehouse), read_only=True) as con:
        batches = dict(
            con.execute("select source_file, delivered_at from raw.landing_batches").fetchall()
        )
    swept = land_source(warehouse, "fhir", inbox)
    assert swept and all(b.skipped for b in swept)
    for path in inbox.rglob("*.json"):
        name = f"fhir/{path.relative_to(inbox).as_posix()}"
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        assert batches[name] == mtime


def test_bad_answers_and_foreign_next_links_are_refused(
    server: FhirServer, export_days: list[list[dict[str, Any]]], tmp_path: Path
) -> None:
    warehouse, cursor_file = tmp_path / "wh.duckdb", tmp_path / "cursor.json"
    server.store.publish(export_days[0])
    server.store.next_host = "fhir.elsewhere.example"
    with pytest.raises(FhirPollError, match="leaves the server"):
        poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, page_size=5)
    server.store.next_host = None
    with pytest.raises(FhirPollError, match="HTTP 404") as failure:
        poll_fhir(warehouse, base_url(server), cursor_file, FACILITY, resource_types=["Patient"])
    assert "not-supported" in str(failure.value) and not failure.value.transient
    with pytest.raises(FhirPollError, match="cannot reach the server") as failure:
        poll_fhir(warehouse, "http://127.0.0.1:9/fhir", cursor_file, FACILITY, timeout=2)
    assert failure.value.transient and not cursor_file.exists()
    with pytest.raises(FhirPollError, match="not an http"):
        poll_fhir(warehouse, "file:///etc", cursor_file, FACILITY)


def test_the_cli_polls_into_the_home_and_a_second_poll_lands_nothing(
    server: FhirServer,
    export_days: list[list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("HCOPS_HOME", str(tmp_path / "home"))
    server.store.publish(export_days[0])
    runner = CliRunner()
    args = ["poll-fhir", base_url(server), "--facility", FACILITY, "--page-size", "40"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    warehouse = tmp_path / "home" / "warehouse.duckdb"
    assert landed_keys(warehouse) == expected_keys(export_days[0])
    assert f"landed {len(expected_keys(export_days[0]))}," in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "landed 0," in second.output
    assert set(load_cursors(tmp_path / "home" / "state" / "fhir_poller.json")) != set()
