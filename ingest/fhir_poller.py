"""Poll a FHIR R4 server's `_lastUpdated` search and land what changed (plain urllib).

For each resource type (Appointment, Slot, Schedule) one poll searches

    {base}/{type}?_lastUpdated=gt{cursor - overlap}&_count={page_size}

(no `_lastUpdated` on the first poll, or from `since`), follows the searchset Bundle's
`link[relation=next]` pages, and lands every page holding resources like a file of the `fhir`
source (`ingest.landing.land_bytes`, parser `ingest.formats.fhir_appointment`): source file
`fhir/<facility>/_poll/<type>/<sha256 of the page>.json`, `delivered_at` = the time the page
was received. With an `inbox` (the `fhir` landing folder) each page is also kept there under
that name first, so `ingest.replay.reprocess_files` can re-read it and the file sweep skips it.

Exactly-once: records land by their keys (a resource version seen again is a duplicate), and
the same page bytes under the same name are skipped, so re-polling changes nothing.

Cursor (per base URL and type, a JSON file the caller names, e.g. under HCOPS_HOME): the
greatest `meta.lastUpdated` seen. The next search starts `overlap` (default 5 minutes) before
it, so a resource written with the same timestamp as the cursor, or committed late with an
earlier one, is still found (re-read versions land as duplicates). The cursor file is written
once, after every page of every type was fetched and landed: an HTTP, network or format
failure raises `FhirPollError` and leaves the cursor where it was (pages landed before the
failure are landed again as duplicates by the next poll).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.formats import fhir_appointment
from ingest.landing import BatchResult, ensure_raw_schema, land_bytes

RESOURCE_TYPES = ("Appointment", "Slot", "Schedule")
DEFAULT_OVERLAP = dt.timedelta(minutes=5)
DEFAULT_PAGE_SIZE = 100
POLL_FOLDER = "_poll"  # under fhir/<facility>/
_ACCEPT = "application/fhir+json, application/json;q=0.9"
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FhirPollError(RuntimeError):
    """A poll that could not finish; the cursor did not move. `transient`: worth a retry
    with backoff (timeouts, connection errors, 408 / 429 / 5xx), else a configuration or
    server problem a person must look at."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class PollResult:
    pages: int  # pages fetched
    resources: int  # Appointment / Slot / Schedule entries read
    batches: tuple[BatchResult, ...]  # one per landed page (skipped pages included)
    cursors: dict[str, str]  # resource type -> cursor after the poll

    @property
    def landed(self) -> int:
        return sum(b.landed for b in self.batches)

    @property
    def duplicates(self) -> int:
        return sum(b.duplicates for b in self.batches)

    @property
    def dead_lettered(self) -> int:
        return sum(b.dead_lettered for b in self.batches)


def poll_fhir(
    warehouse: Path,
    base_url: str,
    cursor_path: Path,
    facility: str,
    *,
    resource_types: Sequence[str] = RESOURCE_TYPES,
    page_size: int = DEFAULT_PAGE_SIZE,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    since: dt.datetime | None = None,
    inbox: Path | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_pages: int = 10_000,
) -> PollResult:
    """Search each type for what changed since its cursor, land every page, then advance the
    cursors (all or nothing). `since` (naive UTC or aware) starts a type with no cursor yet;
    `headers` e.g. an Authorization; raises FhirPollError."""
    base = base_url.rstrip("/")
    client = _Client(base, dict(headers or {}), timeout)
    cursors = load_cursors(cursor_path).get(base, {})
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    pages = resources = 0
    batches: list[BatchResult] = []
    advanced = dict(cursors)
    for resource_type in resource_types:
        start = _start(cursors.get(resource_type), since, overlap)
        url = _search_url(base, resource_type, start, page_size)
        newest: dt.datetime | None = None
        seen: set[str] = set()
        while url is not None:
            if url in seen or pages >= max_pages:
                raise FhirPollError(f"{resource_type} search pages do not end at {url}", False)
            seen.add(url)
            page = client.get(url)
            pages += 1
            found = _resources(page.bundle, resource_type)
            resources += len(found)
            newest = max(filter(None, [newest, *(_last_updated(r) for r in found)]), default=None)
            if found:
                batches.append(_land(warehouse, page, facility, resource_type, inbox))
            url = client.next_url(page)
        if newest is not None:
            advanced[resource_type] = _later(cursors.get(resource_type), newest)
    if advanced != cursors:
        save_cursors(cursor_path, base, advanced)
    return PollResult(pages, resources, tuple(batches), advanced)


# -- HTTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    url: str
    body: bytes
    bundle: dict[str, Any]
    received_at: dt.datetime  # naive UTC


class _Client:
    """GET of searchset pages from one server (next links must stay on it)."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FhirPollError(f"FHIR base URL {base!r} is not an http(s) URL", False)
        self.origin = (parts.scheme, parts.netloc)
        self.headers = {"Accept": _ACCEPT, **headers}
        self.timeout = timeout

    def get(self, url: str) -> _Page:
        request = urllib.request.Request(url, headers=self.headers, method="GET")
        try:  # only http(s) URLs of the server get here (checked on the base and next links)
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise FhirPollError(_http_error(url, exc), exc.code in _TRANSIENT_STATUSES) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FhirPollError(
                f"GET {_path(url)}: cannot reach the server: {reason}", True
            ) from exc
        received_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return _Page(url, body, _bundle(url, body), received_at)

    def next_url(self, page: _Page) -> str | None:
        """The page's `next` link (relative to the page), refused when it leaves the server."""
        for link in page.bundle.get("link") or []:
            if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
                url = urllib.parse.urljoin(page.url, str(link["url"]))
                parts = urllib.parse.urlsplit(url)
                if (parts.scheme, parts.netloc) != self.origin:
                    raise FhirPollError(
                        f"next page link leaves the server ({parts.scheme}://{parts.netloc}): "
                        "refused",
                        False,
                    )
                return url
        return None


def _path(url: str) -> str:
    """Path and query of a URL (for messages: never credentials of the netloc)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _http_error(url: str, exc: urllib.error.HTTPError) -> str:
    """Status, reason and the OperationOutcome issue codes (not its free text: may hold PHI)."""
    issues = ""
    try:
        outcome = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        outcome = {}
    if isinstance(outcome, dict) and outcome.get("resourceType") == "OperationOutcome":
        codes = [
            f"{i.get('severity')}/{i.get('code')}"
            for i in outcome.get("issue") or []
            if isinstance(i, dict)
        ]
        issues = f"; OperationOutcome {', '.join(codes)}" if codes else ""
    return f"GET {_path(url)}: HTTP {exc.code} {exc.reason}{issues}"


def _bundle(url: str, body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FhirPollError(f"GET {_path(url)}: the answer is not JSON ({exc})", False) from exc
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        kind = document.get("resourceType") if isinstance(document, dict) else type(document)
        raise FhirPollError(f"GET {_path(url)}: expected a searchset Bundle, got {kind}", False)
    return document


# -- search and cursor ---------------------------------------------------------------------------


def _search_url(base: str, resource_type: str, start: dt.datetime | None, count: int) -> str:
    query = {"_count": str(count)}
    if start is not None:
        query = {"_lastUpdated": f"gt{format_instant(start)}", **query}
    return f"{base}/{resource_type}?{urllib.parse.urlencode(query)}"


def format_instant(value: dt.datetime) -> str:
    """A naive UTC datetime as a FHIR instant (`...Z`)."""
    return value.isoformat() + "Z"


def _start(
    cursor: str | None, since: dt.datetime | None, overlap: dt.timedelta
) -> dt.datetime | None:
    if cursor is not None:
        parsed = fhir_appointment.instant(cursor, "cursor")
        return parsed - overlap if parsed else None
    if since is not None:
        return since.astimezone(dt.UTC).replace(tzinfo=None) if since.tzinfo else since
    return None


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The bundle's resources of the searched type (included / outcome entries aside)."""
    entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
    resources = [e.get("resource") for e in entries]
    return [r for r in resources if isinstance(r, dict) and r.get("resourceType") == resource_type]


def _last_updated(resource: dict[str, Any]) -> dt.datetime | None:
    meta = resource.get("meta")
    try:
        return fhir_appointment.instant(meta.get("lastUpdated"), "meta.lastUpdated")
    except (AttributeError, fhir_appointment.FhirError):
        return None  # the reader dead-letters it; it cannot move the cursor


def _later(cursor: str | None, newest: dt.datetime) -> str:
    current = fhir_appointment.instant(cursor, "cursor") if cursor else None
    return format_instant(max(newest, current) if current else newest)


def load_cursors(path: Path) -> dict[str, dict[str, str]]:
    """base URL -> resource type -> cursor (empty when the file does not exist yet)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        message = f"cursor file {path} is not JSON ({exc}): fix or remove it"
        raise FhirPollError(message, False) from exc
    return {str(k): dict(v) for k, v in data.get("servers", {}).items()}


def save_cursors(path: Path, base: str, cursors: dict[str, str]) -> None:
    """Write the cursors of one server (tmp + fsync + rename: never half a file)."""
    servers = load_cursors(path)
    servers[base] = dict(sorted(cursors.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        json.dump({"servers": servers}, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


# -- landing -------------------------------------------------------------------------------------


def _land(
    warehouse: Path, page: _Page, facility: str, resource_type: str, inbox: Path | None
) -> BatchResult:
    digest = hashlib.sha256(page.body).hexdigest()[:24]
    relative = f"{facility}/{POLL_FOLDER}/{resource_type}/{digest}.json"
    if inbox is not None:
        _keep(inbox / relative, page.body, page.received_at)
    with duckdb.connect(str(warehouse)) as con:  # short-lived: others may use the warehouse
        return land_bytes(
            con,
            page.body,
            fhir_appointment.SOURCE,
            fhir_appointment.parse,
            fhir_appointment.PARSER_VERSION,
            f"{fhir_appointment.SOURCE}/{relative}",
            delivered_at=page.received_at,
        )


def _keep(path: Path, body: bytes, received_at: dt.datetime) -> None:
    """The page as an inbox file (mtime = its arrival), unless the same bytes are there."""
    if path.exists() and path.read_bytes() == body:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    stamp = received_at.replace(tzinfo=dt.UTC).timestamp()
    os.utime(tmp, (stamp, stamp))
    os.replace(tmp, path)
