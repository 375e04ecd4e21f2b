"""Measure the task-queue candidates of issue 15 §1 side by side (docs/architecture.md).

Run it in a THROWAWAY virtualenv, never in the project's: the other candidates are not
project requirements.

    python3 -m venv /tmp/qcand
    /tmp/qcand/bin/pip install "Django==5.2.*" huey==3.5.4 redis "psycopg[binary]" \
        django-tasks==0.12.0 django-tasks-db==0.13.0 rq==2.12.0
    /tmp/qcand/bin/python scripts/queue_candidates.py [--only NAME …] [--json FILE]

Needs Redis on 127.0.0.1:6379 (database 9 is flushed) and PostgreSQL on 127.0.0.1:5432
(database `tpj_queue_candidates` is dropped and recreated); override with
QCAND_REDIS_URL and QCAND_POSTGRES_URL.

Each candidate is measured in its own process (`measure NAME`), which starts its workers
as further processes (`worker NAME`), each with its default settings and ONE worker:

- throughput: 1,000 no-op jobs queued first, then the worker started; jobs per second
  between the first job's start and the last one's;
- latency: the worker idle and waiting; jobs queued one at a time, every 10–30 ms
  ("steady") then every 1.5–2.5 s ("sparse"); each job writes `time.time()` at its start
  next to the enqueue timestamp it received as argument;
- SIGKILL: a 3-second job starts, its worker's process group is SIGKILLed, a fresh
  worker is started and watched: is the job run again (redelivered), gone (lost), or
  left "running" in the queue's records (stuck)?

Every job appends one line to a log file (`i enqueued started`): the "no-op" costs one
small file append, the same for every candidate.
"""

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("QCAND_WORK", "/tmp/queue-candidates"))
REDIS_URL = os.environ.get("QCAND_REDIS_URL", "redis://127.0.0.1:6379/9")
POSTGRES_URL = os.environ.get("QCAND_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tpj_queue_candidates")
CANDIDATES = {
    "huey-sqlite": "huey 3.5.4, SqliteHuey (file)",
    "huey-redis": "huey 3.5.4, RedisHuey",
    "django-tasks-sqlite": "django-tasks 0.12 + django-tasks-db 0.13, SQLite",
    "django-tasks-postgres": "django-tasks 0.12 + django-tasks-db 0.13, PostgreSQL",
    "rq-redis": "RQ 2.12, Redis",
}
JOBS = 1000
STEADY_JOBS, SPARSE_JOBS = 200, 15
KILL_WATCH_SECONDS = {"rq-redis": 150}  # RQ only notices a dead worker's job after its heartbeat TTL
DEFAULT_KILL_WATCH = 20


# -- the jobs (identical for every candidate) -----------------------------------------------


def _record(i, enqueued_at, log):
    started = time.time()
    with open(log, "a") as handle:
        handle.write(f"{i} {enqueued_at} {started}\n")


def noop(i, enqueued_at, log):
    _record(i, enqueued_at, log)


def slow(i, enqueued_at, log):
    _record(i, enqueued_at, log)
    time.sleep(3)
    with open(log, "a") as handle:
        handle.write(f"done {i}\n")


# -- per-candidate plumbing, built on import from QCAND (same names in producer and worker) --

CANDIDATE = os.environ.get("QCAND", "")
huey = None
rq_queue = None


def _setup():
    global huey, rq_queue, noop, slow, noop_task, slow_task
    if CANDIDATE.startswith("huey"):
        from huey import RedisHuey, SqliteHuey

        if CANDIDATE == "huey-sqlite":
            huey = SqliteHuey("qcand", filename=str(WORK / "huey.sqlite3"), results=False)
        else:
            huey = RedisHuey("qcand", url=REDIS_URL, results=False)
        noop_task, slow_task = huey.task()(noop), huey.task()(slow)
    elif CANDIDATE.startswith("django-tasks"):
        import django
        from django.conf import settings

        # The project's own database settings (config/settings/base.py): WAL and
        # synchronous=NORMAL on SQLite (as huey's SQLite storage), persistent connections on
        # PostgreSQL (Django's default, CONN_MAX_AGE=0, reconnects for every task).
        if CANDIDATE.endswith("sqlite"):
            database = {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(WORK / "django-tasks.sqlite3"),
                "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            }
        else:
            base, name = POSTGRES_URL.removeprefix("postgres://").rsplit("/", 1)
            user, host = base.split("@")
            host, port = host.split(":")
            database = {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": name,
                "USER": user,
                "HOST": host,
                "PORT": port,
                "CONN_MAX_AGE": 60,
            }
        settings.configure(
            INSTALLED_APPS=["django_tasks", "django_tasks_db"],
            DATABASES={"default": database},
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
        django.setup()
        from django_tasks import task

        # The worker imports a job by its function's path: that name must hold the Task.
        globals()["noop"], globals()["slow"] = task()(noop), task()(slow)
        noop_task, slow_task = noop.enqueue, slow.enqueue
    elif CANDIDATE == "rq-redis":
        from redis import Redis
        from rq import Queue, Retry

        rq_queue = Queue("qcand", connection=Redis.from_url(REDIS_URL))

        def noop_task(*args):
            return rq_queue.enqueue(noop, *args)

        def slow_task(*args):  # one retry: RQ redelivers an abandoned job only if asked to
            return rq_queue.enqueue(slow, *args, job_timeout=30, retry=Retry(max=1))


# -- worker process ---------------------------------------------------------------------------


def run_worker(maintenance=False):
    if CANDIDATE.startswith("huey"):
        huey.create_consumer(workers=1, worker_type="thread").run()  # huey's defaults otherwise
    elif CANDIDATE.startswith("django-tasks"):
        from django.core.management import call_command

        call_command("db_worker", "--no-reload", "--no-startup-delay", verbosity=0)  # interval 1 s (default)
    else:
        from rq import Worker

        options = {"maintenance_interval": 5} if maintenance else {}
        Worker([rq_queue], connection=rq_queue.connection, **options).work(logging_level="WARNING")


# -- measuring process ------------------------------------------------------------------------


def _reset():
    WORK.mkdir(parents=True, exist_ok=True)
    if CANDIDATE.startswith("huey"):
        huey.flush()
    elif CANDIDATE.startswith("django-tasks"):
        from django.core.management import call_command
        from django_tasks_db.models import DBTaskResult

        call_command("migrate", verbosity=0)
        DBTaskResult.objects.all().delete()
    else:
        rq_queue.connection.flushdb()


def _start_worker(maintenance=False):
    args = [sys.executable, str(Path(__file__).resolve()), "worker", CANDIDATE]
    if maintenance:
        args.append("--maintenance")
    return subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(worker, sig=signal.SIGTERM):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _tree(pid):
    """`pid` and all its descendants (RQ's work horse leaves its parent's process group)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _kill_tree(worker):
    """SIGKILL the worker and every process under it at once, as a machine's crash or the
    kernel's OOM killer would."""
    for pid in _tree(worker.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait()


def _lines(log):
    if not log.exists():
        return []
    return [line.split() for line in log.read_text().splitlines() if line.strip()]


def _wait_for(log, count, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [x for x in _lines(log) if x[0] != "done"]
        if len(lines) >= count:
            return lines
        time.sleep(0.02)
    raise TimeoutError(f"{CANDIDATE}: {len([x for x in _lines(log) if x[0] != 'done'])}/{count} jobs after {timeout} s")


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure_throughput():
    log = WORK / f"{CANDIDATE}-throughput.log"
    log.unlink(missing_ok=True)
    started = time.perf_counter()
    for i in range(JOBS):
        noop_task(i, time.time(), str(log))
    enqueue_seconds = time.perf_counter() - started
    worker = _start_worker()
    try:
        lines = _wait_for(log, JOBS, timeout=600)
    finally:
        _stop(worker)
    starts = sorted(float(x[2]) for x in lines)
    return {"enqueue_per_s": JOBS / enqueue_seconds, "jobs_per_s": (JOBS - 1) / (starts[-1] - starts[0])}


def measure_latency(count, low, high, name):
    log = WORK / f"{CANDIDATE}-{name}.log"
    log.unlink(missing_ok=True)
    worker = _start_worker()
    rng = random.Random(15)
    try:
        time.sleep(3)  # the worker is up and idle
        for i in range(count):
            noop_task(i, time.time(), str(log))
            time.sleep(rng.uniform(low, high))
        lines = _wait_for(log, count, timeout=120)
    finally:
        _stop(worker)
    latencies = [(float(x[2]) - float(x[1])) * 1000 for x in lines]
    return {"p50_ms": statistics.median(latencies), "p95_ms": _percentile(latencies, 0.95), "n": len(latencies)}


def _state_after_kill():
    if CANDIDATE.startswith("huey"):
        return f"{huey.pending_count()} in queue"
    if CANDIDATE.startswith("django-tasks"):
        from django_tasks_db.models import DBTaskResult

        return "status " + ", ".join(DBTaskResult.objects.filter(task_path__endswith="slow").values_list("status", flat=True))
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    return (
        f"{len(rq_queue)} queued, {StartedJobRegistry(queue=rq_queue).count} started, "
        f"{FailedJobRegistry(queue=rq_queue).count} failed"
    )


def measure_kill():
    log = WORK / f"{CANDIDATE}-kill.log"
    log.unlink(missing_ok=True)
    slow_task(0, time.time(), str(log))
    first = _start_worker()
    try:
        _wait_for(log, 1, timeout=60)
    finally:
        _kill_tree(first)  # mid-task: the job sleeps 3 s after writing its start
    killed_at = time.time()
    second = _start_worker(maintenance=True)
    watch = KILL_WATCH_SECONDS.get(CANDIDATE, DEFAULT_KILL_WATCH)
    rerun_after = None
    try:
        deadline = time.monotonic() + watch
        while time.monotonic() < deadline:
            starts = [x for x in _lines(log) if x[0] != "done"]
            if len(starts) > 1:
                rerun_after = float(starts[1][2]) - killed_at
                time.sleep(4)  # let it finish
                break
            time.sleep(0.1)
    finally:
        _stop(second)
    lines = _lines(log)
    runs, done = sum(1 for x in lines if x[0] != "done"), sum(1 for x in lines if x[0] == "done")
    verdict = f"redelivered after {rerun_after:.0f} s" if rerun_after is not None else f"not run again within {watch} s"
    return {"runs": runs, "completed": done, "verdict": verdict, "state": _state_after_kill(), "watched_s": watch}


def measure():
    _reset()
    result = {"candidate": CANDIDATE, "label": CANDIDATES[CANDIDATE]}
    result.update(measure_throughput())
    _reset()
    result["steady"] = measure_latency(STEADY_JOBS, 0.010, 0.030, "steady")
    result["sparse"] = measure_latency(SPARSE_JOBS, 1.5, 2.5, "sparse")
    _reset()
    result["kill"] = measure_kill()
    return result


# -- orchestration ----------------------------------------------------------------------------


def _fresh_postgres():
    import psycopg

    base, name = POSTGRES_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def render(results):
    lines = [
        "| candidate | enqueue (jobs/s) | run (jobs/s, 1 worker) | latency steady p50 / p95 (ms) | "
        "latency sparse p50 / p95 (ms) | worker SIGKILLed mid-task |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {CANDIDATES[r['candidate']]} | échec : {r['error'][:120]} | | | | |")
            continue
        kill = r["kill"]
        lines.append(
            f"| {r['label']} | {r['enqueue_per_s']:,.0f} | {r['jobs_per_s']:,.0f} | "
            f"{r['steady']['p50_ms']:.1f} / {r['steady']['p95_ms']:.1f} | "
            f"{r['sparse']['p50_ms']:.1f} / {r['sparse']['p95_ms']:.1f} | "
            f"{kill['verdict']}; ran {kill['runs']}×, completed {kill['completed']}×; afterwards: {kill['state']} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="all", choices=["all", "measure", "worker"])
    parser.add_argument("candidate", nargs="?")
    parser.add_argument("--only", action="append", choices=list(CANDIDATES))
    parser.add_argument("--json", help="write the raw figures to this file")
    parser.add_argument("--maintenance", action="store_true")
    args = parser.parse_args()
    if args.command == "worker":
        run_worker(maintenance=args.maintenance)
        return
    if args.command == "measure":
        print("RESULT " + json.dumps(measure()))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.only or list(CANDIDATES):
        if name == "django-tasks-postgres":
            _fresh_postgres()
        print(f"== {name}", file=sys.stderr, flush=True)
        run = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "measure", name],
            env={**os.environ, "QCAND": name},
            capture_output=True,
            text=True,
            check=False,
        )
        found = [x for x in run.stdout.splitlines() if x.startswith("RESULT ")]
        results.append(json.loads(found[-1][7:]) if found else {"candidate": name, "error": run.stderr[-2000:]})
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    load = os.getloadavg()
    print(render(results))
    print(f"\nMachine: {os.cpu_count()} CPU, load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "load": load}, indent=2))


if __name__ == "__main__":
    # Imported under its own name, so that producer and workers name the jobs alike
    # (`queue_candidates.noop`), whatever the candidate's way of naming them.
    sys.path.insert(0, str(HERE))
    import queue_candidates

    queue_candidates.main()
else:
    _setup()
