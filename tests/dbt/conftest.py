"""A throw-away PostgreSQL cluster for the portability tests (stack-facts: PostgreSQL).

initdb + pg_ctl under a private temp dir, listening on a free loopback port only; as root the
server runs as user `postgres` (runuser), which PostgreSQL requires. The binaries come from
$HCOPS_PG_BINDIR, PATH or /usr/lib/postgresql/<version>/bin. Absent: skip, except under CI=true
(a failure). The cluster is stopped and removed at the end of the session.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_network import Network, build_network

_SERVER_SETTINGS = (
    # a test cluster: no durability needed, start and write fast
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c listen_addresses=127.0.0.1 -c max_connections=20"
)


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @property
    def conninfo(self) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={self.dbname}"
        )

    def dbt_env(self) -> dict[str, str]:
        """The variables the dbt `postgres` target (dbt_project/profiles.yml) reads."""
        return {
            "HCOPS_PG_HOST": self.host,
            "HCOPS_PG_PORT": str(self.port),
            "HCOPS_PG_USER": self.user,
            "HCOPS_PG_PASSWORD": self.password,
            "HCOPS_PG_DBNAME": self.dbname,
            "HCOPS_PG_SSLMODE": "disable",
        }


def postgres_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, else None."""
    candidates = []
    if configured := os.environ.get("HCOPS_PG_BINDIR"):
        candidates.append(Path(configured))
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class _Cluster:
    """One initdb'd data folder; commands run as `postgres` when we are root."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.as_server_user: list[str] = []
        if os.geteuid() == 0:
            self.as_server_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres", "postgres")

    def run(self, tool: str, *args: str) -> None:
        command = [*self.as_server_user, str(self.bin_dir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}\n{tail}")

    def init(self, user: str, password: str) -> None:
        password_file = self.root / "password"
        password_file.write_text(password)
        if self.as_server_user:
            shutil.chown(password_file, "postgres", "postgres")
        # C collation: string order (window tie-breaks, sorts) is byte order, as in DuckDB
        self.run(
            "initdb", "-D", str(self.data), "-U", user, f"--pwfile={password_file}",
            "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        password_file.unlink()

    def start(self, port: int) -> None:
        options = f"{_SERVER_SETTINGS} -p {port} -k {self.root}"
        log = str(self.root / "server.log")
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "30", "start"
        )

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _create_database(server: PostgresServer) -> None:
    """Byte-order collation, as DuckDB (the dbt project checks it, decision 0020); Unicode
    upper / lower where the OS has the C.utf8 locale."""
    import psycopg

    admin = PostgresServer(server.host, server.port, server.user, server.password, "postgres")
    create = f"create database \"{server.dbname}\" template template0 lc_collate 'C'"
    with psycopg.connect(admin.conninfo, autocommit=True) as con:
        try:
            con.execute(f"{create} lc_ctype 'C.utf8'")
        except psycopg.errors.InvalidParameterValue:
            con.execute(f"{create} lc_ctype 'C'")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running throw-away cluster with an empty database `hcops` (password auth on TCP)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        _unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y "
            "postgresql, or set HCOPS_PG_BINDIR"
        )
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        _unavailable("as root, PostgreSQL must run as user postgres: needs runuser and that user")
    pytest.importorskip("psycopg")
    # not under pytest's basetemp: its 0700 root-owned parents would lock user postgres out
    cluster = _Cluster(bin_dir, Path(tempfile.mkdtemp(prefix="hcops-pg-")))
    try:
        server = PostgresServer("127.0.0.1", 0, "hcops", secrets.token_hex(16), "hcops")
        cluster.init(server.user, server.password)
        server = _start_on_free_port(cluster, server)
        try:
            _create_database(server)
            yield server
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


def _start_on_free_port(cluster: _Cluster, server: PostgresServer) -> PostgresServer:
    """Start on a free port; another process may take the port in between: retry."""
    for attempt in range(3):
        port = _free_loopback_port()
        try:
            cluster.start(port)
        except RuntimeError:
            if attempt == 2:
                raise
            continue
        return PostgresServer(server.host, port, server.user, server.password, server.dbname)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def default_network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """The shared simulated network (tests/dbt/dbt_network.py), landed and built on DuckDB."""
    pytest.importorskip("dbt.cli.main")
    return build_network(tmp_path_factory.mktemp("default_network"))
