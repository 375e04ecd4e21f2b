"""The phases of the queue benchmark, each run in a child process (`manage.py queue_bench`)
whose settings name the benchmark's own database and queue (never the demo's).

- `worker`: a real consumer (`run_huey`, the project's consumer settings, every app's
  tasks and schedules) that also knows the probe task below;
- `measure`: starts that consumer, then measures the enqueue → start latency, the
  outbox's sending rate through an SMTP server on the loopback, and the import rate from
  the command line and through the workers; each beside its ceiling.

The registry and the outbox are higher layers than tpj.core: they are reached by name.
"""

import importlib
import os
import random
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.module_loading import import_string
from huey.contrib.djhuey import HUEY, task

from tpj.core.bench import percentile
from tpj.core.smtp_sink import SmtpSink

STEADY_PROBES = 200  # one every 10–30 ms: the consumer is busy enough never to back off
SPARSE_PROBES = 10  # one every 1.5–2.5 s: the consumer polls an idle queue (SQLite: backoff)
IDLE_SECONDS = 70  # then one task: huey's backoff reaches its longest wait after about 66 s
OUTBOX_MESSAGES = 500
IMPORT_ROWS = 100_000
IMPORT_TARGET = 10_000  # entries per second (issue 15, Benchmark)


@task()
def probe(enqueued_at: float, log: str) -> None:
    """The benchmark's no-op task: write when it started beside when it was queued."""
    started = time.time()
    with open(log, "a") as handle:
        handle.write(f"{enqueued_at} {started}\n")


def summary(values_ms) -> dict:
    return {"p50": statistics.median(values_ms), "p95": percentile(values_ms, 0.95), "n": len(values_ms)}


# -- the consumer -----------------------------------------------------------------------------


def run_worker(workers: int, periodic: bool = True) -> None:
    """The project's consumer, as `manage.py run_huey` runs it, with `workers` workers (and
    without the scheduled jobs unless `periodic`)."""
    call_command("run_huey", workers=workers, periodic=periodic)


class Consumer:
    """`with Consumer(workers=1, smtp_port=sink.port):` a `manage.py queue_bench --phase worker` subprocess on the
    same database, queue and mail server as this process; stopped (SIGINT, huey's graceful
    stop) on leaving."""

    def __init__(self, workers: int, smtp_port: int | None = None, periodic: bool = True):
        self.workers = workers
        self.periodic = periodic
        self.env = {**os.environ}
        if smtp_port:
            self.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"

    def __enter__(self):
        manage = Path(settings.BASE_DIR) / "manage.py"
        args = [sys.executable, str(manage), "queue_bench", "--phase", "worker", "--workers", str(self.workers)]
        if not self.periodic:
            args.append("--no-periodic")
        self.log = open(Path(tempfile.gettempdir()) / "tpj-bench-consumer.log", "a")
        self.process = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_probes(_log_path("ready"), [enqueue_probe(_log_path("ready"))], timeout=120)
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def _log_path(name: str) -> str:
    path = Path(tempfile.gettempdir()) / f"tpj-bench-probe-{name}.log"
    path.unlink(missing_ok=True)
    return str(path)


def enqueue_probe(log: str) -> float:
    probe(time.time(), log)
    return time.time()


def wait_for_probes(log: str, sent: list, timeout: float) -> list[float]:
    """Latencies (ms) of the probes written to `log`, once all of `sent` have started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = Path(log)
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= len(sent):
            return [(float(b) - float(a)) * 1000 for a, b in (line.split() for line in lines)]
        time.sleep(0.02)
    raise RuntimeError(f"La file n'a lancé que {len(lines)} tâches sur {len(sent)} en {timeout:.0f} s.")


# -- enqueue → start latency ------------------------------------------------------------------


def bare_storage_latency(count: int = 200) -> dict:
    """The ceiling: one message put into the queue's storage and taken back out, in this
    process (no polling, no consumer): what the queue's server costs by itself."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        HUEY.storage.enqueue(b"bench")
        HUEY.storage.dequeue()
        timings.append((time.perf_counter() - started) * 1000)
    return summary(timings)


def probe_latency(count: int, low: float, high: float) -> dict:
    """Probes queued one at a time, `low`–`high` seconds apart, to an idle consumer."""
    log = _log_path(f"{count}")
    rng = random.Random(15)
    sent = []
    for _ in range(count):
        sent.append(enqueue_probe(log))
        time.sleep(rng.uniform(low, high))
    return summary(wait_for_probes(log, sent, timeout=120))


# -- the outbox -------------------------------------------------------------------------------


def _bare_smtp_rate(port: int, raw: bytes, count: int = 300) -> float:
    """The ceiling: messages per second sent with bare `smtplib` to the same server, one
    connection per message (as Django's backend opens one per message sent alone)."""
    started = time.perf_counter()
    for _ in range(count):
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("bench@example.org", ["dest@example.org"], raw)
    return count / (time.perf_counter() - started)


def outbox_rate(port: int, workers: int) -> dict:
    """Messages per second through the outbox: OUTBOX_MESSAGES written in one transaction
    (their tasks queued on commit), sent by the consumer's `workers` workers."""
    services = importlib.import_module("tpj.outbox.services")
    model = import_string("tpj.outbox.models.OutgoingEmail")
    body = "Bonjour,\n\nVotre candidature a bien été reçue.\n\n" + "Texte de l'accusé de réception. " * 30
    started = time.perf_counter()
    with transaction.atomic():
        ids = [
            services.enqueue("calls.receipt", to=f"porteur{i}@example.org", subject=f"Accusé de réception n° {i}", body=body).pk
            for i in range(OUTBOX_MESSAGES)
        ]
    deadline = time.monotonic() + 600
    sent = model.objects.filter(pk__in=ids, status="sent")
    while sent.count() < len(ids) and time.monotonic() < deadline:
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    done = sent.count()
    stamps = sorted(sent.values_list("sent_at", flat=True))
    span = (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0
    return {
        "workers": workers,
        "messages": len(ids),
        "sent": done,
        "rate": (done - 1) / span if span else 0,
        "end_to_end": done / elapsed,
    }


def outbox_raw_message() -> bytes:
    from django.core.mail import EmailMessage

    body = "Bonjour,\n\nVotre candidature a bien été reçue.\n\n" + "Texte de l'accusé de réception. " * 30
    return (
        EmailMessage("Accusé de réception n° 0", body, "ne-pas-repondre@example.org", ["porteur@example.org"])
        .message()
        .as_bytes()
    )


# -- imports ----------------------------------------------------------------------------------


def _write_import_csv(rows: int, prefix: str) -> Path:
    synthetic = importlib.import_module("tpj.registry.synthetic")
    path = Path(tempfile.mkdtemp()) / f"bench-{prefix}.csv"
    synthetic.Generator(seed=7).write_csv(path, rows, source_prefix=prefix)
    return path


def import_command_line(rows: int) -> dict:
    """The command line's import (`manage.py import_registry`'s path), in this process."""
    importer = importlib.import_module("tpj.registry.importer")
    path = _write_import_csv(rows, "CLI")
    started = time.perf_counter()
    job = importer.import_file(str(path), "bench-cli", chunk_size=importer.COMMAND_CHUNK_SIZE)
    seconds = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return {"rows": rows, "created": job.created_count, "seconds": seconds, "rate": job.created_count / seconds}


def import_through_workers(rows: int) -> dict:
    """An import job queued to the workers (tpj.registry.tasks.imports), timed from the
    queueing to the job's end, read from its row as the progress bar reads it."""
    start_import = import_string("tpj.registry.tasks.imports.bench_start")
    model = import_string("tpj.registry.models.ImportJob")
    path = _write_import_csv(rows, "WRK")
    started = time.perf_counter()
    job_id = start_import(str(path), "bench-workers")
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        job = model.objects.get(pk=job_id)
        if job.status in ("done", "failed"):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return {
        "rows": rows,
        "created": job.created_count,
        "status": job.status,
        "seconds": seconds,
        "rate": job.created_count / seconds,
    }


# -- the measuring process ---------------------------------------------------------------------


def _attempt(result: dict, key: str, measure_it) -> None:
    """result[key] = measure_it(), or {"error": …}: one failing measure hides no other."""
    try:
        result[key] = measure_it()
    except Exception as error:
        result[key] = {"error": f"{type(error).__name__}: {error}"[:500]}


def _outbox_both(port: int) -> list:
    rates = []
    for workers in (1, 2):
        with Consumer(workers=workers, smtp_port=port):
            rates.append(outbox_rate(port, workers=workers))
    return rates


def _import_workers(rows: int) -> dict:
    with Consumer(workers=settings.QUEUE_WORKERS):
        return {**import_through_workers(rows), "workers": settings.QUEUE_WORKERS}


def measure(import_rows: int = IMPORT_ROWS) -> dict:
    """Every figure of the queue section on this process's database and queue."""
    HUEY.flush()
    result = {
        "queue": type(HUEY).__name__,
        "database": connection.vendor,
        "bare": bare_storage_latency(),
    }

    def latencies():
        with Consumer(workers=1):
            time.sleep(3)  # idle: the consumer polls an empty queue
            figures = {
                "steady": probe_latency(STEADY_PROBES, 0.010, 0.030),
                "sparse": probe_latency(SPARSE_PROBES, 1.5, 2.5),
            }
            time.sleep(IDLE_SECONDS)  # a quiet minute: the polling consumer has backed off to its longest wait
            figures["idle"] = probe_latency(1, 0, 0)
            return figures

    _attempt(result, "latency", latencies)
    with SmtpSink() as sink:
        _attempt(result, "smtp_bare", lambda: _bare_smtp_rate(sink.port, outbox_raw_message()))
        _attempt(result, "outbox", lambda: _outbox_both(sink.port))
        result["smtp_received"] = sink.received
    _attempt(result, "import_cli", lambda: import_command_line(import_rows))
    _attempt(result, "import_workers", lambda: _import_workers(import_rows))
    result["load"] = os.getloadavg()
    return result
