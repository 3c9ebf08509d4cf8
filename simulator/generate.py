"""Entry point: simulate the network and write every landing folder plus the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.lifecycle import ClaimsParams, acknowledge, adjudicate, create_claims
from simulator.model import Simulation
from simulator.network import Network, build_network
from simulator.scheduling import SchedulingParams, schedule
from simulator.writers import erp_master, hl7_siu, truth, x12_277, x12_835, x12_837

Renderer = Callable[[Network, Simulation], dict[str, str]]

# landing folder -> renderer (folder names = source names, docs/contracts.md)
WRITERS: tuple[tuple[str, Renderer], ...] = (
    ("hl7_siu", hl7_siu.render),
    ("x12_837", x12_837.render),
    ("x12_277", x12_277.render),
    ("x12_835", x12_835.render),
    ("erp_master", erp_master.render),
    ("truth", truth.render),
)


@dataclass(frozen=True)
class GenerationSummary:
    files: int
    appointments: int
    claims: int  # primary claims submitted in the window (rows of truth/claims.csv)
    remits: int  # 835 claim adjudications (CLP loops)
    files_by_folder: dict[str, int] = field(default_factory=dict)


def simulate(*, facilities: int, days: int, seed: int, start: dt.date,
             scheduling: SchedulingParams | None = None,
             claims: ClaimsParams | None = None) -> tuple[Network, Simulation]:
    """The whole simulation in memory (no files)."""
    if days < 1:
        raise ValueError("at least one day")
    end = start + dt.timedelta(days=days - 1)
    claims_params = claims or ClaimsParams()
    network = build_network(facilities, seed)
    appointments = schedule(network, start, days, seed, scheduling)
    claim_list = create_claims(network, appointments, end, seed, claims_params)
    acknowledge(claim_list, end, seed, claims_params)
    adjudicate(network, claim_list, end, seed, claims_params)
    return network, Simulation(start, end, appointments, claim_list)


def write_files(out_dir: Path, network: Network, simulation: Simulation) -> dict[str, int]:
    counts = {}
    for folder, render in WRITERS:
        files = render(network, simulation)
        for name, content in files.items():
            path = out_dir / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8"))
        counts[folder] = len(files)
    return counts


def generate(out_dir: Path, *, facilities: int = 3, days: int = 120, seed: int = 7,
             start: dt.date = dt.date(2026, 1, 5)) -> GenerationSummary:
    """Write the simulated sources and the truth under `out_dir` (deterministic per
    arguments: the same arguments give byte-identical files)."""
    network, simulation = simulate(facilities=facilities, days=days, seed=seed, start=start)
    counts = write_files(Path(out_dir), network, simulation)
    submitted = [c for c in simulation.claims if c.submission_date is not None]
    return GenerationSummary(
        files=sum(counts.values()),
        appointments=len(simulation.appointments),
        claims=len(submitted),
        remits=sum(len(c.adjudications) for c in submitted),
        files_by_folder=counts,
    )
