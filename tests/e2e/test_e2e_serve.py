"""`hcops serve` answers HTTP on both ports and stops both servers on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from e2e_servers import free_port, listening, wait_http

from orchestration.runner import RunOutcome
from orchestration.settings import Settings

HCOPS = Path(sys.executable).with_name("hcops")


def test_serve_answers_on_both_ports_and_stops_on_ctrl_c(
    e2e_settings: Settings, first_run: RunOutcome, tmp_path: Path
) -> None:
    dagster_port, dashboard_port = free_port(), free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            str(HCOPS),
            "serve",
            "--dagster-port",
            str(dagster_port),
            "--dashboard-port",
            str(dashboard_port),
        ],
        env={**os.environ, "HCOPS_HOME": str(e2e_settings.home)},
        # a file, not a pipe: a grandchild of `dagster dev` still shutting down would hold a
        # pipe open after hcops has exited; the test is about hcops and its two ports
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status, body = wait_http(f"http://127.0.0.1:{dashboard_port}/_stcore/health", 90)
        assert (status, body) == (200, b"ok")
        status, body = wait_http(f"http://127.0.0.1:{dagster_port}/server_info", 120)
        assert status == 200 and b"dagster_webserver_version" in body
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=90)
        log.close()
    output = log_path.read_text()
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{dagster_port}" in output
    assert f"http://127.0.0.1:{dashboard_port}" in output
    assert not listening(dagster_port) and not listening(dashboard_port)
