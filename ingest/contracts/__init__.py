"""Versioned contracts of the canonical records: one JSON Schema (draft 2020-12) per record
kind and version, `ingest/contracts/<kind>.v<N>.json`, generated from the dataclasses of
`ingest.records` and committed.

- `python -m ingest.contracts` writes the schemas of the current versions; `--check` fails
  when a committed schema differs from the dataclass (and says whether the change breaks).
- Older versions stay committed, frozen; `ingest.upcast` lifts their records to the current
  version.
- `breaking_changes(old, new)`: a removed, renamed or retyped field, a changed nullability, a
  new field that cannot be null, or changed key fields break consumers (dbt staging, the
  record keys of landed rows); a new nullable field does not.

JSON form of a record (`to_json`): amounts as decimal strings, dates `YYYY-MM-DD`, timestamps
`YYYY-MM-DDTHH:MM:SS[.ffffff]` (naive UTC), absent values `null`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
import re
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.records import RECORD_TYPES, RECORD_TYPES_BY_KIND, Record, schema_version_of

CONTRACTS_DIR = Path(__file__).resolve().parent
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FILE_NAME = re.compile(r"^(?P<kind>[a-z0-9_]+)\.v(?P<version>\d+)\.json$")
_COMMENT = re.compile(r"^\s+(?P<name>[a-z_][a-z0-9_]*): [^#\n]+#\s*(?P<text>.+)$", re.M)

_DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "x-type": "decimal"}
_TIMESTAMP = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$",
    "x-type": "timestamp",
}
_JSON_TYPES: dict[object, dict[str, str]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    Decimal: _DECIMAL,
    dt.date: {"type": "string", "format": "date", "x-type": "date"},
    dt.datetime: _TIMESTAMP,
}


def _field_schema(annotation: object) -> dict[str, Any]:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    nullable = type(None) in args
    base = next((a for a in args if a is not type(None)), annotation)
    schema = dict(_JSON_TYPES[base])
    if nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def _comments(record_type: type) -> dict[str, str]:
    try:
        source = inspect.getsource(record_type)
    except (OSError, TypeError):
        return {}
    return {m["name"]: m["text"].strip() for m in _COMMENT.finditer(source)}


def schema_for(record_type: type, version: int | None = None) -> dict[str, Any]:
    """The JSON Schema of a record dataclass (its current version unless told)."""
    version = schema_version_of(record_type) if version is None else version
    hints = typing.get_type_hints(record_type)
    comments = _comments(record_type)
    properties: dict[str, Any] = {}
    for f in dataclasses.fields(record_type):
        prop = _field_schema(hints[f.name])
        if f.name in comments:
            prop["description"] = comments[f.name]
        properties[f.name] = prop
    kind = record_type.kind  # type: ignore[attr-defined]
    return {
        "$schema": DIALECT,
        "$id": f"urn:hcops:contract:{kind}:v{version}",
        "title": f"{record_type.__name__} v{version}",
        "description": " ".join((record_type.__doc__ or "").split()),
        "type": "object",
        "x-kind": kind,
        "x-version": version,
        "x-key-fields": list(record_type.key_fields),  # type: ignore[attr-defined]
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def schema_path(kind: str, version: int, directory: Path = CONTRACTS_DIR) -> Path:
    return directory / f"{kind}.v{version}.json"


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def current_schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema of every record kind at its current version."""
    return {schema_path(t.kind, schema_version_of(t)).name: schema_for(t) for t in RECORD_TYPES}  # type: ignore[attr-defined]


def write_schemas(directory: Path = CONTRACTS_DIR) -> list[Path]:
    """Write the current versions' schemas; returns the files whose content changed."""
    changed = []
    for name, schema in current_schemas().items():
        path = directory / name
        text = dumps(schema)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    return changed


def committed(directory: Path = CONTRACTS_DIR) -> dict[tuple[str, int], dict[str, Any]]:
    """(kind, version) -> schema of every committed contract file."""
    out = {}
    for path in sorted(directory.glob("*.json")):
        match = _FILE_NAME.match(path.name)
        if match:
            out[(match["kind"], int(match["version"]))] = json.loads(path.read_text())
    return out


def load_schema(kind: str, version: int | None = None) -> dict[str, Any]:
    if version is None:
        version = schema_version_of(RECORD_TYPES_BY_KIND[kind])
    return json.loads(schema_path(kind, version).read_text())


# -- compatibility --------------------------------------------------------------------------------


def _shape(prop: dict[str, Any]) -> tuple[object, ...]:
    """What a consumer depends on: base type, its refinement, nullability."""
    kind = prop.get("type")
    types_ = kind if isinstance(kind, list) else [kind]
    base = next((t for t in types_ if t != "null"), None)
    return base, prop.get("x-type"), prop.get("format"), prop.get("pattern")


def _nullable(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    return isinstance(kind, list) and "null" in kind


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why `new` breaks readers of `old` (empty: compatible; a new nullable field is fine)."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, prop in old_props.items():
        if name not in new_props:
            problems.append(f"field {name!r} removed (or renamed)")
            continue
        if _shape(prop) != _shape(new_props[name]):
            problems.append(
                f"field {name!r} retyped: {_shape(prop)[:2]} -> {_shape(new_props[name])[:2]}"
            )
        if _nullable(prop) != _nullable(new_props[name]):
            now = "nullable" if _nullable(new_props[name]) else "not nullable"
            problems.append(f"field {name!r} is now {now}")
    for name, prop in new_props.items():
        if name not in old_props and not _nullable(prop):
            problems.append(f"field {name!r} added without null: older records cannot fill it")
    if old.get("x-key-fields") != new.get("x-key-fields"):
        problems.append(
            f"key fields changed: {old.get('x-key-fields')} -> {new.get('x-key-fields')}"
        )
    return problems


# -- instances ------------------------------------------------------------------------------------


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_json(record: Record) -> dict[str, Any]:
    """The JSON form of a record (the shape its schema describes)."""
    return {f.name: _json_value(getattr(record, f.name)) for f in dataclasses.fields(record)}


def validate(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Schema violations of an instance (empty: valid), with `jsonschema` (draft 2020-12)."""
    from jsonschema import Draft202012Validator  # a dependency of dagster and dbt-core

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]
