"""Start the Dagster UI and the Streamlit dashboards as child processes on 127.0.0.1 and stop
them cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.settings import REPO_ROOT, Settings

_BIN = Path(sys.executable).parent


def _reset_signals() -> None:
    # a background shell starts children with SIGINT ignored; dagster dev then never stops
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _dagster_command(port: int) -> list[str]:
    return [
        str(_BIN / "dagster"),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def _streamlit_command(port: int) -> list[str]:
    return [
        str(_BIN / "streamlit"),
        "run",
        str(REPO_ROOT / "dashboards" / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--client.toolbarMode",
        "minimal",
        "--browser.gatherUsageStats",
        "false",
    ]


def _stop(processes: list[subprocess.Popen], grace_seconds: float = 15) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def serve(settings: Settings, dagster_port: int | None, dashboard_port: int | None) -> int:
    settings.ensure_dirs()
    settings.export_env()
    commands = []
    if dagster_port:
        commands.append(("Dagster UI", dagster_port, _dagster_command(dagster_port)))
    if dashboard_port:
        commands.append(("Dashboards", dashboard_port, _streamlit_command(dashboard_port)))
    processes = [
        subprocess.Popen(cmd, cwd=REPO_ROOT, preexec_fn=_reset_signals, start_new_session=True)
        for _, _, cmd in commands
    ]
    for name, port, _ in commands:
        print(f"{name}: http://127.0.0.1:{port}", flush=True)
    print("Ctrl-C stops everything.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return next(p.returncode for p in processes if p.poll() is not None) or 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(processes)
