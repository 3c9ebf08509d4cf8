"""A progress display for long generations, on stderr (rich, installed with dagster); a no-op
when disabled (not a TTY, `--quiet`, tests)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any


class Progress(AbstractContextManager["Progress"]):
    """`with Progress(enabled) as bar: bar.stage(...); bar.folder(name, total); bar.advance()`"""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description:<20}"),
                                     BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=False)
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, value, traceback)
            self._bar = None

    def stage(self, description: str) -> None:
        """A step without a count (the simulation itself)."""
        self.folder(description, None)

    def folder(self, description: str, total: int | None) -> None:
        if self._bar is None:
            return
        self.done()
        self._task = self._bar.add_task(description, total=total)

    def total(self, total: int | None) -> None:
        """The current step's count, once known."""
        if self._bar is not None and self._task is not None and total is not None:
            self._bar.update(self._task, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, steps)

    def done(self) -> None:
        """Mark the current step complete (its count as its total)."""
        if self._bar is not None and self._task is not None:
            completed = self._bar.tasks[-1].completed or 1
            self._bar.update(self._task, total=completed, completed=completed)
            self._task = None
