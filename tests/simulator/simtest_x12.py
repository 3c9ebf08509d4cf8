"""A few lines of independent X12 reading for the tests (not the ingest parser)."""

from __future__ import annotations

from pathlib import Path


def segments(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    terminator = text[105]
    return [s.strip().split("*") for s in text.split(terminator) if s.strip()]


def transactions(path: Path) -> list[list[list[str]]]:
    """The segments of each ST..SE, ST and SE included."""
    found: list[list[list[str]]] = []
    for seg in segments(path):
        if seg[0] == "ST":
            found.append([])
        if found and (not found[-1] or found[-1][-1][0] != "SE"):
            found[-1].append(seg)
    return found
