"""The cluster under test: one fresh PostgreSQL database, Redis (queue and cache), a shared
media directory, an SMTP sink, two gunicorn web nodes and two huey workers, each in its own
process group (so that one worker can be SIGKILLed with its children). Everything started
here is stopped, and the database dropped and the Redis databases flushed, by `close()`.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tpj.core.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432"), "user": "postgres"}
REDIS_HOST, REDIS_PORT = "127.0.0.1", "6379"
QUEUE_DB, CACHE_DB = 7, 8
ADMIN = "admin@demo.1000jours.fr"  # the demo's administrator (load_demo)
LOGIN_FAILURE_LIMIT = 5
IMPORT_LEASE_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(text: str) -> None:
    print(f"   · {text}", flush=True)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill_group(self, sig=signal.SIGKILL) -> None:
        """Signal the whole process group (gunicorn's or huey's children included)."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


@dataclass
class Cluster:
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tpj-scale-")))
    db_name: str = field(default_factory=lambda: f"tpj_scale_{os.getpid()}")
    keep_logs: bool = False
    nodes: list = field(default_factory=list)  # base URLs of the web nodes
    web: list = field(default_factory=list)  # Process
    workers: list = field(default_factory=list)  # Process
    sink: SmtpSink | None = None
    _db_created: bool = False

    # -- environment -------------------------------------------------------------------
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "QUEUE_", "CACHE_URL"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "DEBUG": "0",
                "DEMO_MODE": "1",
                "SECRET_KEY": self.secret_key,
                "SITE_URL": self.nodes[0] if self.nodes else "http://127.0.0.1:8000",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{self.db_name}",
                "QUEUE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{QUEUE_DB}",
                "CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_DB}",
                "MEDIA_ROOT": str(self.media_root),
                "EMAIL_URL": f"smtp://{self.sink.host}:{self.sink.port}" if self.sink else "consolemail://",
                "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
                # A killed worker's import is taken back sooner than the default minute.
                "IMPORT_LEASE_SECONDS": str(IMPORT_LEASE_SECONDS),
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    @property
    def media_root(self) -> Path:
        return self.workdir / "media"

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    # -- start -------------------------------------------------------------------------
    def start(self, web_nodes: int = 2, workers: int = 2, worker_threads: int = 2) -> "Cluster":
        self.secret_key = secrets.token_urlsafe(40)
        self.media_root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.nodes = [f"http://127.0.0.1:{free_port()}" for _ in range(web_nodes)]
        self.sink = SmtpSink(self.workdir / "smtp-sink.jsonl").start()
        log(f"SMTP sink on 127.0.0.1:{self.sink.port}; media in {self.media_root}")
        self.flush_redis()
        subprocess.run(["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], self.db_name], check=True)
        self._db_created = True
        log(f"database {self.db_name} created")
        for command in (["migrate", "--noinput"], ["load_territories"], ["load_demo"]):
            started = time.perf_counter()
            self.manage(*command, log_name="setup")
            log(f"manage.py {' '.join(command)} ({time.perf_counter() - started:.1f} s)")
        for index, base in enumerate(self.nodes, start=1):
            port = base.rsplit(":", 1)[1]
            command = [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--timeout",
                "60",
                "--no-control-socket",
            ]
            self.web.append(self._spawn(f"web{index}", command))
        for index in range(1, workers + 1):
            self.workers.append(self._spawn(f"worker{index}", [PYTHON, "manage.py", "run_huey", "-w", str(worker_threads)]))
        for base in self.nodes:
            self._wait_for(base)
        log(f"web nodes {', '.join(self.nodes)}; {workers} workers × {worker_threads}")
        return self

    def _spawn(self, name: str, command: list) -> Process:
        log_path = self.logs / f"{name}.log"
        handle = log_path.open("w")
        popen = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        return Process(name, popen, log_path)

    def _wait_for(self, base: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(not p.alive for p in self.web):
                dead = next(p for p in self.web if not p.alive)
                raise RuntimeError(f"{dead.name} exited:\n{dead.log_text()[-2000:]}")
            try:
                if requests.get(base + "/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{base} did not answer within {timeout:.0f} s")

    # -- helpers -----------------------------------------------------------------------
    def manage(self, *args: str, log_name: str = "manage", extra_env: dict | None = None) -> str:
        """Run `manage.py args…` against the cluster's database; return its stdout (raise on failure)."""
        env = {**self.env(), **(extra_env or {})}
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        with (self.logs / f"{log_name}.log").open("a") as handle:
            handle.write(f"$ manage.py {' '.join(args)}\n{result.stdout}\n{result.stderr}\n")
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def sql(self, query: str) -> list[list[str]]:
        """Rows of a query on the cluster's database (psql, no Django start-up: cheap to poll)."""
        result = subprocess.run(
            ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", self.db_name, "-AtF", "\t", "-c", query],
            capture_output=True,
            text=True,
            check=True,
        )
        return [line.split("\t") for line in result.stdout.splitlines()]

    def sql_value(self, query: str) -> str:
        rows = self.sql(query)
        return rows[0][0] if rows and rows[0] else ""

    def start_worker(self, name: str, worker_threads: int = 2) -> Process:
        process = self._spawn(name, [PYTHON, "manage.py", "run_huey", "-w", str(worker_threads)])
        self.workers.append(process)
        return process

    @staticmethod
    def flush_redis() -> None:
        for db in (QUEUE_DB, CACHE_DB):
            subprocess.run(["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "-n", str(db), "flushdb"], capture_output=True)

    # -- stop --------------------------------------------------------------------------
    def close(self) -> None:
        """Stop every process started here, drop the database, flush Redis, remove the files."""
        processes = [*self.web, *self.workers]
        for process in processes:
            process.kill_group(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill_group(signal.SIGKILL)
                process.popen.wait(timeout=5)
        if self.sink:
            self.sink.stop()
        if self._db_created:
            subprocess.run(
                ["dropdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "--if-exists", "--force", self.db_name],
                capture_output=True,
            )
        self.flush_redis()
        if self.keep_logs:
            log(f"logs kept in {self.logs}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
