"""Per-clinic vendor scheduling CSV -> AppointmentEvent, driven by a YAML mapping per clinic.

Adding a clinic is configuration, not code: drop `<clinic>.yaml` into the mapping folder
(`ingest/mappings/` by default; `HCOPS_VENDOR_CSV_MAPPINGS` or the `mapping_dir` argument
override it). The file `vendor_csv/<clinic>/APPTS_<MMDDYYYY>.csv` selects the mapping whose
file stem (or `clinic:` value) is the folder name, case-insensitively; `ingest.pipeline`
passes `vendor_csv/<clinic>/<file>` as `filename`. Without a `vendor_csv` component the parent
folder names the clinic.

Mapping (top-level key `vendor_csv`; see docs/contracts.md for the full schema):

    clinic: LKU                         # = folder name
    facility_code: LKU                  # sending_facility; default facility_code
    delimiter: ","                      # optional, default ","
    encoding: utf-8                     # optional, default utf-8
    timezone: America/New_York          # optional: naive times are local -> naive UTC
    columns:                            # canonical field -> column spec
      appointment_id: "Appt ID"         # required
      status: "Status"                  # required
      event_time: {column: "Last Modified", format: "%d-%b-%Y %H:%M:%S"}   # required
      booked_at: {column: "Booked", format: "%m/%d/%Y %H:%M:%S"}         # S12 event time
      ...                               # see FIELDS
    status_map:                         # vendor status -> canonical name or {event, status}
      SCHEDULED: booked
      CHECKED OUT: {event: S14, status: Complete}
    cancel_reason_map: {PT REQUEST: PATREQ}

A column spec is a column name, or a mapping with `column` (+ `format` for dates / times,
`pattern` a regex whose first group is kept, `map` a value translation), or `template`
(`"{facility_code}-{room}"`, over the fields already read), or `value` (a constant).

Each row is one status change -> one event: event_type / status from `status_map`; event_time
= `booked_at` for a booking (S12) when mapped, else `event_time`; message_control_id =
`<appointment id>@<event time>/<event>/<status>` (deterministic, sending_facility = the
mapping's facility code). Rows that fail (unknown status, bad date / number, missing id or
time) are dead letters whose payload is the header plus the row (re-drivable alone); a file
without mapping, or missing a mapped column, is one dead letter with the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ingest.records import AppointmentEvent, DeadLetter, Record

SOURCE = "vendor_csv"
PARSER_VERSION = "1.0.0"

MAPPING_DIR_ENV = "HCOPS_VENDOR_CSV_MAPPINGS"
DEFAULT_MAPPING_DIR = Path(__file__).resolve().parents[1] / "mappings"

CANONICAL_STATUSES: dict[str, tuple[str, str]] = {
    "booked": ("S12", "Booked"),
    "rescheduled": ("S13", "Booked"),
    "modified": ("S14", "Booked"),
    "arrived": ("S14", "Arrived"),
    "completed": ("S14", "Complete"),
    "cancelled": ("S15", "Cancelled"),
    "no_show": ("S26", "Noshow"),
    "deleted": ("S17", "Deleted"),
}
EVENT_TYPES = {"S12", "S13", "S14", "S15", "S17", "S26"}
# canonical fields a mapping may fill: name -> value kind
FIELDS: dict[str, str] = {
    "appointment_id": "text",
    "status": "text",
    "event_time": "datetime",
    "booked_at": "datetime",
    "visit_number": "text",
    "facility_code": "text",
    "provider_npi": "text",
    "patient_id": "text",
    "start": "datetime",
    "service_date": "date",
    "service_time": "time",
    "duration_minutes": "int",
    "service_code": "text",
    "department": "text",
    "room": "text",
    "location_code": "text",
    "cancel_reason": "text",
}
ALIASES = {"patient_mrn": "patient_id"}
# documented in a mapping for people, not read (PHI or not part of the canonical event)
INFORMATIONAL = {"provider_name", "patient_name", "birth_date", "visit_type", "site"}
REQUIRED = ("appointment_id", "status", "event_time")


class MappingError(ValueError):
    """A mapping file that cannot be used."""


class RowError(ValueError):
    def __init__(self, error_class: str, reason: str) -> None:
        super().__init__(reason)
        self.error_class = error_class


@dataclass(frozen=True)
class ColumnSpec:
    column: str | None = None
    format: str | None = None
    pattern: re.Pattern[str] | None = None
    template: str | None = None
    value: str | None = None
    map: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    name: str  # the mapping file stem
    clinic: str
    facility_code: str
    columns: dict[str, ColumnSpec]
    status_map: dict[str, tuple[str, str]]  # upper-cased vendor status -> (event, status)
    cancel_reason_map: dict[str, str]
    delimiter: str = ","
    encoding: str = "utf-8"
    timezone: ZoneInfo | None = None

    def source_columns(self) -> set[str]:
        return {s.column for s in self.columns.values() if s.column}


def resolve_mapping_dir(override: Path | str | None = None) -> Path:
    configured = override or os.environ.get(MAPPING_DIR_ENV)
    return Path(configured) if configured else DEFAULT_MAPPING_DIR


def load_mappings(directory: Path | str | None = None) -> dict[str, Mapping | MappingError]:
    """Every `*.yaml` / `*.yml` of the mapping folder, by lower-cased stem and clinic; a file
    that cannot be used maps to its MappingError."""
    found: dict[str, Mapping | MappingError] = {}
    folder = resolve_mapping_dir(directory)
    if not folder.is_dir():
        return found
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            mapping: Mapping | MappingError = load_mapping(path)
        except MappingError as exc:
            mapping = exc
        found.setdefault(path.stem.lower(), mapping)
        if isinstance(mapping, Mapping):
            found.setdefault(mapping.clinic.lower(), mapping)
    return found


def load_mapping(path: Path) -> Mapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"mapping {path.name}: not readable YAML ({exc})") from None
    return mapping_from_dict(document, path.stem)


def mapping_from_dict(document: Any, name: str) -> Mapping:
    where = f"mapping {name}"
    body = document.get("vendor_csv") if isinstance(document, dict) else None
    if not isinstance(body, dict):
        raise MappingError(f"{where}: no top-level `vendor_csv:` mapping")
    clinic = str(body.get("clinic") or name)
    columns_in = body.get("columns")
    if not isinstance(columns_in, dict):
        raise MappingError(f"{where}: `columns` must be a mapping of field -> column")
    columns: dict[str, ColumnSpec] = {}
    for key, spec in columns_in.items():
        canonical = ALIASES.get(str(key), str(key))
        if canonical in INFORMATIONAL:
            continue
        if canonical not in FIELDS:
            known = ", ".join(sorted([*FIELDS, *ALIASES, *INFORMATIONAL]))
            raise MappingError(f"{where}: unknown field {key!r} in columns (known: {known})")
        columns[canonical] = _column_spec(spec, f"{where}: columns.{key}", FIELDS[canonical])
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise MappingError(f"{where}: columns must map {', '.join(missing)}")
    status_map: dict[str, tuple[str, str]] = {}
    for vendor, target in (body.get("status_map") or {}).items():
        status_map[str(vendor).strip().upper()] = _status_target(target, f"{where}: {vendor!r}")
    if not status_map:
        raise MappingError(f"{where}: `status_map` is empty")
    timezone = None
    if body.get("timezone"):
        try:
            timezone = ZoneInfo(str(body["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise MappingError(f"{where}: unknown timezone {body['timezone']!r}") from None
    reasons = body.get("cancel_reason_map") or {}
    return Mapping(
        name=name,
        clinic=clinic,
        facility_code=str(body.get("facility_code") or clinic),
        columns=columns,
        status_map=status_map,
        cancel_reason_map={str(k).strip().upper(): str(v) for k, v in reasons.items()},
        delimiter=str(body.get("delimiter") or ","),
        encoding=str(body.get("encoding") or "utf-8"),
        timezone=timezone,
    )


def _column_spec(spec: Any, where: str, kind: str) -> ColumnSpec:
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: a column name or a mapping with column / template / value")
    sources = [k for k in ("column", "template", "value") if spec.get(k) is not None]
    if len(sources) != 1:
        raise MappingError(f"{where}: give exactly one of column, template, value")
    if kind in ("datetime", "date", "time") and spec.get("column") and not spec.get("format"):
        raise MappingError(f"{where}: a {kind} column needs a strptime `format`")
    try:
        pattern = re.compile(spec["pattern"]) if spec.get("pattern") else None
    except re.error as exc:
        raise MappingError(f"{where}: bad pattern ({exc})") from None
    return ColumnSpec(
        column=spec.get("column"),
        format=spec.get("format"),
        pattern=pattern,
        template=spec.get("template"),
        value=None if spec.get("value") is None else str(spec["value"]),
        map={str(k): str(v) for k, v in (spec.get("map") or {}).items()},
    )


def _status_target(target: Any, where: str) -> tuple[str, str]:
    if isinstance(target, str) and target.strip().lower() in CANONICAL_STATUSES:
        return CANONICAL_STATUSES[target.strip().lower()]
    if isinstance(target, dict) and str(target.get("event", "")).upper() in EVENT_TYPES:
        event = str(target["event"]).upper()
        return event, str(target.get("status") or "")
    raise MappingError(
        f"{where}: status target {target!r} is neither one of "
        f"{', '.join(CANONICAL_STATUSES)} nor {{event: S12|S13|S14|S15|S17|S26, status: ...}}"
    )


def clinic_of(filename: str) -> str | None:
    """The folder after the last `vendor_csv` component, else the parent folder."""
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    for at in range(len(parts) - 3, -1, -1):
        if parts[at] == SOURCE:
            return parts[at + 1]
    return parts[-2] if len(parts) >= 2 else None


def mapping_for_header(data: bytes, directory: Path | str | None = None) -> Mapping | None:
    """The one mapping whose mapped columns are all in the file's header row (detection)."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip()
    matches = []
    for mapping in {id(m): m for m in load_mappings(directory).values()}.values():
        if isinstance(mapping, Mapping):
            header = set(next(csv.reader([first], delimiter=mapping.delimiter), []))
            if mapping.source_columns() <= header:
                matches.append(mapping)
    return matches[0] if len(matches) == 1 else None


def parse(
    data: bytes, filename: str, mapping_dir: Path | str | None = None
) -> Iterator[Record | DeadLetter]:
    """AppointmentEvents of one vendor CSV; bad rows / files as dead letters. Never raises."""
    clinic = clinic_of(filename)
    mappings = load_mappings(mapping_dir)
    mapping = mappings.get((clinic or "").lower())
    if mapping is None:
        mapping = mapping_for_header(data, mapping_dir)
    if not isinstance(mapping, Mapping):
        text = data.decode("utf-8", errors="replace")
        if isinstance(mapping, MappingError):
            yield DeadLetter(SOURCE, "ConfigurationError", str(mapping), text, 0)
            return
        reason = (
            f"{filename}: no vendor CSV mapping for clinic {clinic!r} in "
            f"{resolve_mapping_dir(mapping_dir)} (add {clinic}.yaml)"
        )
        yield DeadLetter(SOURCE, "ConfigurationError", reason, text, 0)
        return
    yield from _rows(data, filename, mapping)


def _rows(data: bytes, filename: str, mapping: Mapping) -> Iterator[Record | DeadLetter]:
    try:
        text = data.decode(mapping.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = f"{filename}: not {mapping.encoding} text ({exc})"
        yield DeadLetter(SOURCE, "EncodingError", reason, data.decode("latin-1"), 0)
        return
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    header = next(reader, None)
    if not header:
        yield DeadLetter(SOURCE, "MissingElement", f"{filename}: empty file, no header", text, 0)
        return
    header = [h.strip() for h in header]
    absent = sorted(mapping.source_columns() - set(header))
    if absent:
        reason = (
            f"{filename}: columns {absent} of mapping {mapping.name} are not in the header "
            "(the vendor layout changed?)"
        )
        yield DeadLetter(SOURCE, "MissingElement", reason, text, 0)
        return
    for index, row in enumerate(reader):
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) != len(header):
                raise RowError("InvalidValue", f"{len(row)} columns, the header has {len(header)}")
            yield _event(dict(zip(header, row, strict=True)), mapping)
        except RowError as exc:
            reason = f"{filename} row {index + 1}: {exc}"
            yield DeadLetter(SOURCE, exc.error_class, reason, _payload(header, row, mapping), index)


def _payload(header: list[str], row: list[str], mapping: Mapping) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=mapping.delimiter, lineterminator="\r\n")
    writer.writerows([header, row])
    return out.getvalue()


def _event(row: dict[str, str], mapping: Mapping) -> AppointmentEvent:
    values: dict[str, Any] = {}
    for name, spec in mapping.columns.items():
        if spec.template is None:
            values[name] = _value(row, name, spec, mapping)
    for name, spec in mapping.columns.items():
        if spec.template is not None:
            fill = {k: "" if v is None else v for k, v in values.items()}
            fill.setdefault("facility_code", mapping.facility_code)
            try:
                values[name] = spec.template.format(**fill) or None
            except (KeyError, IndexError, ValueError) as exc:
                raise RowError("InvalidValue", f"template of {name} failed: {exc!r}") from None
    appointment_id = values.get("appointment_id")
    if not appointment_id:
        raise RowError("MissingElement", f"{_label(mapping, 'appointment_id')} is empty")
    vendor_status = (values.get("status") or "").upper()
    if not vendor_status:
        raise RowError("MissingElement", f"{_label(mapping, 'status')} is empty")
    if vendor_status not in mapping.status_map:
        raise RowError(
            "InvalidValue",
            f"status {vendor_status!r} is not in the status_map of mapping {mapping.name} "
            f"(known: {', '.join(mapping.status_map)})",
        )
    event_type, status = mapping.status_map[vendor_status]
    event_time = values.get("event_time")
    if event_time is None:
        raise RowError("MissingElement", f"{_label(mapping, 'event_time')} is empty")
    if event_type == "S12" and values.get("booked_at") is not None:
        event_time = values["booked_at"]
    reason = values.get("cancel_reason")
    if reason:
        reason = mapping.cancel_reason_map.get(reason.upper(), reason)
    facility = values.get("facility_code") or mapping.facility_code
    location = values.get("location_code") or values.get("department")
    return AppointmentEvent(
        appointment_id=appointment_id,
        event_type=event_type,
        event_time=event_time,
        message_control_id=(
            f"{appointment_id}@{event_time:%Y-%m-%dT%H:%M:%S}/{event_type}/{status}"
        ),
        sending_facility=mapping.facility_code,
        status=status or None,
        start_time=_start(values, mapping),
        duration_minutes=values.get("duration_minutes"),
        facility_code=facility,
        location_code=location,
        provider_npi=values.get("provider_npi"),
        service_code=values.get("service_code"),
        visit_number=values.get("visit_number"),
        patient_id=values.get("patient_id"),
        event_reason=reason or None,
    )


def _label(mapping: Mapping, name: str) -> str:
    spec = mapping.columns[name]
    return f"column {spec.column!r} ({name})" if spec.column else name


def _value(row: dict[str, str], name: str, spec: ColumnSpec, mapping: Mapping) -> Any:
    raw = spec.value if spec.value is not None else row.get(spec.column or "", "")
    raw = raw.strip()
    if spec.pattern is not None and raw:
        match = spec.pattern.search(raw)
        if match is None:
            raise RowError(
                "InvalidValue",
                f"{_label(mapping, name)} {raw!r} does not match {spec.pattern.pattern!r}",
            )
        raw = (match.group(1) if match.groups() else match.group(0)).strip()
    raw = spec.map.get(raw, raw)
    if not raw:
        return None
    kind = FIELDS[name]
    if kind == "text":
        return raw
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise RowError(
                "InvalidValue", f"{_label(mapping, name)} {raw!r} is not a whole number"
            ) from None
    try:
        parsed = dt.datetime.strptime(raw, spec.format or "")
    except ValueError:
        raise RowError(
            "InvalidValue", f"{_label(mapping, name)} {raw!r} does not match format {spec.format!r}"
        ) from None
    if kind == "date":
        return parsed.date()
    if kind == "time":
        return parsed.time()
    return _utc(parsed, mapping)


def _utc(value: dt.datetime, mapping: Mapping) -> dt.datetime:
    """A naive local time of the mapping's timezone as naive UTC (unchanged without one)."""
    if mapping.timezone is None:
        return value
    return value.replace(tzinfo=mapping.timezone).astimezone(dt.UTC).replace(tzinfo=None)


def _start(values: dict[str, Any], mapping: Mapping) -> dt.datetime | None:
    if values.get("start") is not None:
        return values["start"]
    day, time = values.get("service_date"), values.get("service_time")
    if day is None:
        return None
    return _utc(dt.datetime.combine(day, time or dt.time()), mapping)
