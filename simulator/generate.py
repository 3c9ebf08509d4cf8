"""Entry point: simulate the network and write every landing folder plus the truth."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.clock import epoch
from simulator.faults import FAULT_COLUMNS, Delivery, FaultInjector, FaultParams
from simulator.lifecycle import ClaimsParams, simulate_claims
from simulator.model import Simulation
from simulator.network import Network, build_network
from simulator.progress import Progress
from simulator.scheduling import SchedulingParams, schedule_with_templates
from simulator.truth import integration_kpis
from simulator.writers import (
    bai2,
    erp_master,
    fhir,
    hl7_siu,
    patient_accounting,
    schedule_templates,
    truth,
    vendor_csv,
    x12_277,
    x12_835,
    x12_837,
    x12_999,
    x12_claim_status,
)

# A renderer returns {file name: text}, or yields (file name, text) pairs so a large folder
# is written as it is rendered (streaming) instead of held whole in memory.
Renderer = Callable[[Network, Simulation], Mapping[str, str] | Iterable[tuple[str, str]]]

# --scale presets: (facilities, days)
SCALES: dict[str, tuple[int, int]] = {"small": (3, 180), "network": (20, 365)}
DEFAULT_FACILITIES, DEFAULT_DAYS = 3, 120
TRUTH_FOLDER = "truth"

# landing folder -> renderer (folder names = source names, docs/contracts.md)
WRITERS: tuple[tuple[str, Renderer], ...] = (
    ("hl7_siu", hl7_siu.render),
    ("fhir", fhir.render),
    ("vendor_csv", vendor_csv.render),
    ("schedule_templates", schedule_templates.render),
    ("x12_837", x12_837.render),
    ("x12_999", x12_999.render),
    ("x12_277", x12_277.render),
    ("x12_277", x12_claim_status.render),  # 276 / 277 claim status (X212), same folder
    ("x12_835", x12_835.render),
    ("bai2", bai2.render),
    ("patient_accounting", patient_accounting.render),
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
    faults: int = 0  # rows of truth/faults.csv


def simulate(*, facilities: int, days: int, seed: int, start: dt.date,
             scheduling: SchedulingParams | None = None,
             claims: ClaimsParams | None = None) -> tuple[Network, Simulation]:
    """The whole simulation in memory (no files)."""
    if days < 1:
        raise ValueError("at least one day")
    end = start + dt.timedelta(days=days - 1)
    claims_params = claims or ClaimsParams()
    scheduling = scheduling or SchedulingParams()
    network = build_network(facilities, seed, start=start, days=days,
                            changes=scheduling.master_data_changes,
                            extract_every_days=scheduling.extract_every_days(days),
                            shared_billing_payer_types=claims_params.shared_billing_payer_types)
    appointments, templates = schedule_with_templates(network, start, days, seed, scheduling)
    claim_list, revenue = simulate_claims(network, appointments, end, seed, claims_params)
    return network, Simulation(start, end, appointments, claim_list, revenue,
                               templates=templates)


def resolve_scale(scale: str | None, facilities: int | None,
                  days: int | None) -> tuple[int, int]:
    """(facilities, days) from a preset or the explicit numbers (not both)."""
    if scale is not None:
        if facilities is not None or days is not None:
            raise ValueError("give either a scale or facilities / days, not both")
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
        return SCALES[scale]
    return (DEFAULT_FACILITIES if facilities is None else facilities,
            DEFAULT_DAYS if days is None else days)


def _items(rendered: Mapping[str, str] | Iterable[tuple[str, str]]
           ) -> tuple[int | None, Iterable[tuple[str, str]]]:
    if isinstance(rendered, Mapping):
        return len(rendered), rendered.items()
    return None, rendered


def _write(folder_dir: Path, delivery: Delivery) -> None:
    """Write the file; its modification time is its simulated delivery time (the local wall
    time's UTC instant: simulator.clock), so a landing that records mtimes sees it arrive
    then."""
    path = folder_dir / delivery.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(delivery.data)
    stamp = epoch(delivery.delivered_at)
    os.utime(path, (stamp, stamp))


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_files(out_dir: Path, network: Network, simulation: Simulation, *,
                faults: FaultParams | None = None, seed: int = 0,
                progress: Progress | None = None) -> dict[str, int]:
    """Files written per folder (see `deliver`)."""
    return deliver(out_dir, network, simulation, faults=faults, seed=seed,
                   progress=progress)[0]


def deliver(out_dir: Path, network: Network, simulation: Simulation, *,
            faults: FaultParams | None = None, seed: int = 0,
            progress: Progress | None = None) -> tuple[dict[str, int], int]:
    """(files per folder, faults injected). Render every folder and write it file by file
    through the fault layer (`faults` None = no faults), the truth folders last: the
    integration truth (kpis.json) and truth/faults.csv come from what the fault layer
    delivered. Truth files are not delivered: their modification time is the window's last
    day, 23:00."""
    params = faults or FaultParams.none()
    bar = progress or Progress(False)
    fallback = dt.datetime.combine(simulation.end, dt.time(23, 0))
    injector = FaultInjector(params, seed, (f.code for f in network.facilities), fallback)
    counts: dict[str, int] = defaultdict(int)
    ordered = ([w for w in WRITERS if w[0] != TRUTH_FOLDER]
               + [w for w in WRITERS if w[0] == TRUTH_FOLDER])
    for folder, render in ordered:
        counts[folder] += 0
        bar.folder(folder, None)  # rendering counts in the folder's step
        total, items = _items(render(network, simulation))
        bar.total(total)
        for name, content in items:
            if folder == TRUTH_FOLDER:
                if name == "kpis.json":
                    content = _with_integration_kpis(content, injector)
                deliveries = [Delivery(name, content.encode("utf-8"), fallback)]
            else:
                deliveries = injector.process(folder, name, content)
            for delivery in deliveries:
                _write(out_dir / folder, delivery)
            counts[folder] += len(deliveries)
            bar.advance()
    injector.finish()
    if params.enabled:
        _write(out_dir / TRUTH_FOLDER,
               Delivery("faults.csv", _csv(FAULT_COLUMNS, injector.rows).encode("utf-8"),
                        fallback))
        counts[TRUTH_FOLDER] += 1
    bar.done()
    return dict(counts), len(injector.rows)


def _with_integration_kpis(content: str, injector: FaultInjector) -> str:
    """kpis.json with the integration-side keys added (existing keys untouched)."""
    kpis = json.loads(content)
    stats = injector.stats
    for key, value in integration_kpis(stats.received, stats.dead_lettered,
                                       stats.latency_minutes).items():
        kpis.setdefault(key, value)
    return json.dumps(kpis, indent=2, sort_keys=True) + "\n"


def generate(out_dir: Path, *, facilities: int | None = None, days: int | None = None,
             seed: int = 7, start: dt.date = dt.date(2026, 1, 5),
             scheduling: SchedulingParams | None = None,
             claims: ClaimsParams | None = None,
             scale: str | None = None,
             faults: FaultParams | None = None,
             progress: bool = False) -> GenerationSummary:
    """Write the simulated sources and the truth under `out_dir` (deterministic per
    arguments: the same arguments give byte-identical files, faults included).

    `scale` ('small': 3 facilities x 180 days, 'network': 20 x 365) replaces facilities /
    days (giving both is an error; neither: 3 x 120). `faults` None = FaultParams(), the low
    default rates; FaultParams.none() writes exactly the writers' output. `progress` shows a
    bar on stderr."""
    facilities, days = resolve_scale(scale, facilities, days)
    with Progress(progress) as bar:
        bar.stage("simulating")
        network, simulation = simulate(facilities=facilities, days=days, seed=seed,
                                       start=start, scheduling=scheduling, claims=claims)
        counts, injected = deliver(Path(out_dir), network, simulation,
                                   faults=FaultParams() if faults is None else faults,
                                   seed=seed, progress=bar)
    submitted = [c for c in simulation.claims if c.submission_date is not None]
    return GenerationSummary(
        files=sum(counts.values()),
        appointments=len(simulation.appointments),
        claims=len(submitted),
        remits=sum(len(c.adjudications) for c in submitted),
        files_by_folder=counts,
        faults=injected,
    )
