"""The `hcops` command: generate, land and build, post to the ERP, inspect, serve."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from orchestration.settings import load_settings

app = typer.Typer(
    help="hcops: operational intelligence for healthcare networks.", no_args_is_help=True
)
erp_app = typer.Typer(help="The ERP (Tryton) that hcops posts journals into.", no_args_is_help=True)
app.add_typer(erp_app, name="erp")


@app.command()
def generate(
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: the landing folders)")
    ] = None,
    facilities: Annotated[
        int | None, typer.Option(min=1, help="Facilities (default 3; not with --scale)")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help="Simulated days (default 120; not with --scale)")
    ] = None,
    scale: Annotated[
        str | None,
        typer.Option(help="Preset: small (3 facilities x 180 days) or network (20 x 365)"),
    ] = None,
    seed: int = 7,
    start: Annotated[str, typer.Option(help="First simulated day (ISO date)")] = "2026-01-05",
    faults: Annotated[
        bool, typer.Option(help="Inject delivery faults at the default low rates")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Simulate a health network: write its source files and the ground truth."""
    from simulator import generate as simulate
    from simulator.faults import FaultParams
    from simulator.generate import SCALES

    if scale is not None and (facilities is not None or days is not None):
        raise typer.BadParameter(
            "--scale cannot be combined with --facilities / --days", param_hint="--scale"
        )
    if scale is not None and scale not in SCALES:
        raise typer.BadParameter(f"one of {', '.join(SCALES)}", param_hint="--scale")
    settings = load_settings()
    target = out or settings.landing
    summary = simulate(
        target,
        facilities=facilities,
        days=days,
        scale=scale,
        seed=seed,
        start=dt.date.fromisoformat(start),
        faults=None if faults else FaultParams.none(),
        progress=not quiet and sys.stderr.isatty(),
    )
    typer.echo(f"wrote {summary} to {target}")


@app.command()
def run(
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Re-derive every dbt model from raw (after a change of model logic or seeds)",
        ),
    ] = False,
) -> None:
    """Materialize every asset in-process: land, build dbt, post to the ERP, read back."""
    from orchestration.runner import materialize_all

    result = materialize_all(load_settings(), full_refresh=full_refresh)
    typer.echo(result.summary())
    if not result.success:
        raise typer.Exit(1)


@erp_app.command("init")
def erp_init() -> None:
    """Provision the ERP (companies, fiscal years, accounts, cost centers, payers)."""
    from orchestration.runner import provision_erp

    typer.echo(provision_erp(load_settings()))


@app.command()
def inspect(path: Path) -> None:
    """Parse one source file and print its canonical records as JSON lines (lands nothing)."""
    from ingest.inspect import inspect_records, to_json_line

    for record in inspect_records(path):
        typer.echo(to_json_line(record))


@app.command()
def replay(
    source: Annotated[
        str | None, typer.Option(help="Only this source (e.g. x12_835); default every source")
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(help="Re-process the files delivered this day (YYYY-MM-DD, UTC)"),
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option(help="Re-process this file of --source (path relative to its folder)"),
    ] = None,
    land_only: Annotated[
        bool, typer.Option(help="With --day / --file: re-land only, rebuild nothing downstream")
    ] = False,
) -> None:
    """Re-drive dead letters with the current parsers (after a fix); or, with --day / --file,
    re-process a delivery day or files as a run of the replay_landing job, which rebuilds what
    depends on them. Nothing lands twice."""
    if file and source is None:
        raise typer.BadParameter("--file needs --source", param_hint="--file")
    settings = load_settings()
    if day or file:
        from orchestration.runner import replay as replay_run

        outcome = replay_run(
            settings,
            day=day,
            sources=[source] if source else [],
            files=file or [],
            rebuild_downstream=not land_only,
        )
        typer.echo(outcome.summary())
        if not outcome.success:
            raise typer.Exit(1)
        return
    from ingest.replay import redrive_dead_letters

    redriven = redrive_dead_letters(settings.warehouse, source=source)
    typer.echo(
        f"dead letters examined {redriven.examined}: resolved {redriven.resolved}, "
        f"still failing {redriven.still_failing}; records landed {redriven.landed}"
    )


@app.command()
def mllp(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1")] = 2575,
) -> None:
    """Receive HL7 v2 SIU over MLLP; ACK AA only after the message is durably landed."""
    import asyncio

    from ingest.mllp import serve

    settings = load_settings()
    settings.ensure_dirs()
    typer.echo(f"MLLP listener on 127.0.0.1:{port} (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings.warehouse, port=port, inbox=settings.source_dir("hl7_siu")))


@app.command("poll-fhir")
def poll_fhir_command(
    base_url: Annotated[str, typer.Argument(help="FHIR R4 base URL, e.g. https://host/fhir")],
    facility: Annotated[str, typer.Option(help="Facility code the server's data belongs to")],
    page_size: Annotated[int, typer.Option(help="_count per search page")] = 100,
) -> None:
    """Search a FHIR server by _lastUpdated (Appointment, Slot, Schedule) and land what
    changed since the last poll; the cursor advances only after every page landed."""
    from ingest.fhir_poller import FhirPollError, poll_fhir

    settings = load_settings()
    settings.ensure_dirs()
    try:
        result = poll_fhir(
            settings.warehouse,
            base_url,
            settings.home / "state" / "fhir_poller.json",
            facility,
            page_size=page_size,
            inbox=settings.source_dir("fhir"),
        )
    except FhirPollError as error:
        typer.echo(f"FHIR poll failed, cursor unchanged: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(
        f"pages {result.pages}, resources {result.resources}: landed {result.landed}, "
        f"duplicates {result.duplicates}, dead-lettered {result.dead_lettered}"
    )


@app.command()
def kpis(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    facility: Annotated[str, typer.Option(help="A facility code, UNMAPPED, or ALL")] = "ALL",
    date_from: Annotated[
        dt.datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day of the window"),
    ] = None,
    date_to: Annotated[
        dt.datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day; balances at its end"),
    ] = None,
) -> None:
    """The KPI scorecard: the whole loaded window, or re-aggregated over --from / --to."""
    from orchestration.marts import Window, read_scorecard, reaggregate_scorecard

    warehouse = load_settings().warehouse
    if date_from is None and date_to is None:
        scorecard = read_scorecard(warehouse, facility)
    else:
        window = Window(date_from and date_from.date(), date_to and date_to.date())
        if window.start and window.end and window.start > window.end:
            raise typer.BadParameter("--from is after --to")
        scorecard = {
            "window_start": window.start,
            "window_end": window.end,
            **reaggregate_scorecard(warehouse, facility, window),
        }
    if as_json:
        typer.echo(json.dumps(scorecard, default=str))
    else:
        for name, value in scorecard.items():
            typer.echo(f"{name:45} {value}")


@app.command()
def dashboard(port: int = 8501) -> None:
    """Serve the Streamlit dashboards on 127.0.0.1."""
    from orchestration.serve import serve

    sys.exit(serve(load_settings(), dagster_port=None, dashboard_port=port))


@app.command()
def ui(port: int = 3000) -> None:
    """Serve the Dagster UI on 127.0.0.1."""
    from orchestration.serve import serve

    sys.exit(serve(load_settings(), dagster_port=port, dashboard_port=None))


@app.command("serve")
def serve_all(dagster_port: int = 3000, dashboard_port: int = 8501) -> None:
    """Serve the Dagster UI and the dashboards together; Ctrl-C stops both."""
    from orchestration.serve import serve

    sys.exit(serve(load_settings(), dagster_port=dagster_port, dashboard_port=dashboard_port))


if __name__ == "__main__":
    app()
