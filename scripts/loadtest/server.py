"""One web node as production runs it, under one of the compared worker models: gunicorn on
127.0.0.1 and a free port, the production profile (DEBUG off, collected static files served by
WhiteNoise, Redis cache on a database of its own), in its own process group."""

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from ..scale_check.cluster import PYTHON, REDIS_HOST, REDIS_PORT, ROOT, VENV_BIN, Process, free_port

CACHE_DB, QUEUE_DB = 11, 12  # Redis databases of the load test (scale-check uses 7 and 8)
# name -> (application, gunicorn options, variables of its own). The ASGI model runs the same
# Django through uvicorn's worker class (package uvicorn-worker), without persistent database
# connections: under ASGI, Django does not close a request's connection in the thread that
# opened it, so CONN_MAX_AGE leaks one connection per thread until PostgreSQL refuses clients
# ("too many clients already": measured, every request failed) — Django's documentation asks
# for CONN_MAX_AGE=0 in async mode.
WORKER_MODELS = {
    "sync-2": ("config.wsgi", ["-k", "sync", "-w", "2"], {}),
    "sync-4": ("config.wsgi", ["-k", "sync", "-w", "4"], {}),
    "gthread-2x4": ("config.wsgi", ["-k", "gthread", "-w", "2", "--threads", "4"], {}),
    "uvicorn-2": ("config.asgi:application", ["-k", "uvicorn_worker.UvicornWorker", "-w", "2"], {"CONN_MAX_AGE": "0"}),
}
MODEL_LABELS = {
    "sync-2": "gunicorn sync, 2 workers",
    "sync-4": "gunicorn sync, 4 workers",
    "gthread-2x4": "gunicorn gthread, 2 workers × 4 threads",
    "uvicorn-2": "gunicorn + uvicorn workers (ASGI), 2 workers",
}


def environment(database_url: str, workdir: Path, port: int, secret_key: str) -> dict:
    """The variables of the production profile (docs/operations.md), for a node on 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "scripts.loadtest.settings",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback: TLS ends at the proxy in production
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_DB}",
        "QUEUE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{QUEUE_DB}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_URL": "consolemail://",
        "GEOCODER": "offline",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _base_env() -> dict:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "QUEUE_", "CACHE_URL", "STATIC_ROOT", "CONN_MAX_AGE"))
    }


def collectstatic(workdir: Path) -> None:
    """Collect the static files (hashed, compressed: the production storage) into workdir/static."""
    env = {**_base_env(), **environment("sqlite:///:memory:", workdir, 8000, secrets.token_urlsafe(40))}
    result = subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"collectstatic a échoué :\n{result.stderr[-3000:]}")


def flush_cache() -> None:
    """Empty the load test's Redis databases: each worker model starts from a cold cache."""
    for db in (CACHE_DB, QUEUE_DB):
        subprocess.run(
            ["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "-n", str(db), "flushdb"], capture_output=True, check=True
        )


@dataclass
class Server:
    model: str
    database_url: str
    workdir: Path
    process: Process | None = None
    base: str = ""

    def start(self, timeout: float = 90) -> "Server":
        """Start gunicorn and wait until /sante/ answers 200 (database, cache and queue reachable)."""
        app, options, own = WORKER_MODELS[self.model]
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        command = [str(VENV_BIN / "gunicorn"), app, "-b", f"127.0.0.1:{port}", *options, "--timeout", "60", "--no-control-socket"]
        log_path = self.workdir / f"{self.model}.log"
        with log_path.open("w") as handle:
            env = {**_base_env(), **environment(self.database_url, self.workdir, port, secrets.token_urlsafe(40)), **own}
            popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        self.process = Process(self.model, popen, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.alive:
                raise RuntimeError(f"gunicorn ({self.model}) exited:\n{self.process.log_text()[-3000:]}")
            try:
                if requests.get(self.base + "/sante/", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.base}/sante/ did not answer 200 within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM to the process group (master and workers), SIGKILL after 15 s."""
        if not self.process:
            return
        self.process.kill_group(signal.SIGTERM)
        try:
            self.process.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill_group(signal.SIGKILL)
            self.process.popen.wait(timeout=5)
        self.process = None
