"""Scale presets, the CLI's generate options, streaming renderers and the progress bar."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from simulator.faults import FaultParams
from simulator.progress import Progress

# the module (the package attribute `simulator.generate` is the function)
generation = importlib.import_module("simulator.generate")


class Stop(Exception):
    """Raised by the patched simulation once it has recorded its arguments."""


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """simulate() records facilities / days and stops (no generation)."""
    seen: dict[str, object] = {}

    def fake(**kwargs: object) -> None:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(generation, "simulate", fake)
    return seen


def test_scale_presets() -> None:
    assert generation.resolve_scale("small", None, None) == (3, 180)
    assert generation.resolve_scale("network", None, None) == (20, 365)
    assert generation.resolve_scale(None, None, None) == (3, 120)
    assert generation.resolve_scale(None, 5, 10) == (5, 10)
    with pytest.raises(ValueError, match="not both"):
        generation.resolve_scale("small", 3, None)
    with pytest.raises(ValueError, match="unknown scale"):
        generation.resolve_scale("huge", None, None)


def test_generate_with_scale_small_simulates_3_facilities_for_180_days(
        recorded: dict, tmp_path: Path) -> None:
    with pytest.raises(Stop):
        generation.generate(tmp_path, scale="small")
    assert (recorded["facilities"], recorded["days"]) == (3, 180)
    with pytest.raises(ValueError):
        generation.generate(tmp_path, scale="network", days=30)


def test_cli_scale_small(recorded: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--scale", "small",
                                      "--seed", "3", "--quiet"])
    assert isinstance(result.exception, Stop)
    assert (recorded["facilities"], recorded["days"], recorded["seed"]) == (3, 180, 3)


@pytest.mark.parametrize("extra", [["--facilities", "2"], ["--days", "30"]])
def test_cli_scale_with_facilities_or_days_is_an_error(recorded: dict, tmp_path: Path,
                                                       extra: list[str]) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--scale", "small",
                                      *extra])
    assert result.exit_code == 2
    assert "--scale" in result.output and "cannot be combined" in result.output
    assert recorded == {}


def test_cli_unknown_scale_is_an_error(recorded: dict, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--scale", "huge"])
    assert result.exit_code == 2 and recorded == {}


def test_cli_generates_with_and_without_faults(tmp_path: Path) -> None:
    for name, flag in (("on", "--faults"), ("off", "--no-faults")):
        result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / name),
                                          "--facilities", "1", "--days", "8", "--seed", "4",
                                          flag, "--quiet"])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "on" / "truth" / "faults.csv").is_file()
    assert not (tmp_path / "off" / "truth" / "faults.csv").exists()


def test_a_renderer_may_stream_its_files(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    """A renderer that yields (name, text) pairs is written file by file, like a dict."""
    produced: list[str] = []

    def streamed(network: object, simulation: object):  # noqa: ANN202 - a generator
        for day in range(3):
            name = f"demo_2026010{day + 5}.csv"
            produced.append(name)
            yield name, f"a,b\n{day},x\n"

    monkeypatch.setattr(generation, "WRITERS", (("demo", streamed),))
    network, simulation = generation.simulate(facilities=1, days=3, seed=1,
                                              start=dt.date(2026, 1, 5))
    counts = generation.write_files(tmp_path, network, simulation, faults=FaultParams.none())
    assert counts == {"demo": 3}
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == produced
    assert (tmp_path / "demo" / "demo_20260106.csv").read_text() == "a,b\n1,x\n"


def test_progress_bar_goes_to_stderr_and_is_off_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(False) as bar:
        bar.folder("x12_835", 2)
        bar.advance()
    assert capsys.readouterr() == ("", "")
    with Progress(True) as bar:
        bar.stage("simulating")
        bar.folder("x12_835", 2)
        bar.advance(2)
    captured = capsys.readouterr()
    assert captured.out == "" and "x12_835" in captured.err
