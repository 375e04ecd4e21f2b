"""`make loadtest`: mixed public traffic at 8, 32, 64 and 128 clients against one web node,
per back-end (PostgreSQL, SQLite) and per worker model (gunicorn sync, gthread, uvicorn
workers), beside the static-file ceiling; the tables go to docs/benchmarks.md.

Kept between runs: the registries (database tpj_loadtest, var/loadtest.sqlite3; `--drop-data`
removes them). Everything else the run starts (gunicorn, temporary files) is stopped and removed."""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

from tpj.core.bench import read_result

from ..scale_check.cluster import PYTHON, REDIS_HOST, REDIS_PORT, ROOT, log
from . import data, mix, report, server, wrk

DOCS = ROOT / "docs" / "benchmarks.md"
STATIC_FILE = "core/site.css"  # the small stylesheet every page loads, served by WhiteNoise


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m scripts.loadtest", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries of each registry (1000000)")
    parser.add_argument("--backend", choices=["postgres", "sqlite", "both"], default="both", help="both by default")
    parser.add_argument("--duration", type=float, default=30, help="seconds of each mix phase (30)")
    parser.add_argument("--static-duration", type=float, default=10, help="seconds of each static-file phase (10)")
    parser.add_argument("--clients", default="8,32,64,128", help="numbers of concurrent clients (8,32,64,128)")
    parser.add_argument(
        "--models", default=",".join(server.WORKER_MODELS), help=f"worker models ({','.join(server.WORKER_MODELS)})"
    )
    parser.add_argument("--urls", type=int, default=1200, help="distinct URLs of the mix (1200, at least 1000)")
    parser.add_argument("--cold-clients", type=int, default=32, help="clients of the cold pass (32)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="page whose load section is rewritten (docs/benchmarks.md)")
    parser.add_argument("--no-docs", action="store_true", help="print the tables, do not write them")
    parser.add_argument("--drop-data", action="store_true", help="remove the registries at the end instead of keeping them")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and the URL files (path printed)")
    options = parser.parse_args(argv)
    options.clients = [int(n) for n in options.clients.split(",") if n.strip()]
    options.models = [m.strip() for m in options.models.split(",") if m.strip()]
    unknown = [m for m in options.models if m not in server.WORKER_MODELS]
    if unknown:
        parser.error(f"unknown worker model(s): {', '.join(unknown)}")
    if options.urls < 1000:
        parser.error("--urls: at least 1000 distinct URLs")
    return options


def _stop(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def phase(label: str, measure) -> dict:
    """Run one measurement, with the 1-minute load average before and after it."""
    before = os.getloadavg()[0]
    figures = measure()
    figures.update(load_before=before, load_after=os.getloadavg()[0])
    log(
        f"{label}: {figures['rate']:.0f} req/s, p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms, non-2xx/3xx {figures['non_2xx_3xx']}, socket errors {figures['socket_errors']}, "
        f"load {before:.2f} → {figures['load_after']:.2f}"
    )
    return figures


def read_sample(url: str) -> dict:
    """The registry sample that the URLs are drawn from (scripts/loadtest/sample.py, on `url`)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "False"}
    result = subprocess.run(
        [PYTHON, "-m", "scripts.loadtest.sample"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"sample failed:\n{result.stderr[-3000:]}")
    return read_result(result.stdout)


def measure_model(model: str, url: str, workdir: Path, files: dict, options) -> dict:
    """Static ceiling, cold pass, then the warm mix at each number of clients, on a fresh node."""
    server.flush_cache()
    node = server.Server(model, url, workdir).start()
    try:
        static = {
            clients: phase(
                f"{model} static ×{clients}", lambda c=clients: wrk.timed(node.base, files["static"], c, options.static_duration)
            )
            for clients in options.clients
        }
        cold = phase(
            f"{model} cold pass ×{options.cold_clients}", lambda: wrk.once(node.base, files["mix"], options.cold_clients)
        )
        warm = {
            clients: phase(f"{model} mix ×{clients}", lambda c=clients: wrk.timed(node.base, files["mix"], c, options.duration))
            for clients in options.clients
        }
        return {"static": static, "cold": cold, "cold_clients": options.cold_clients, "mix": warm}
    finally:
        node.stop()


def measure_endpoints(model: str, url: str, workdir: Path, files: dict, counts: dict, options) -> dict:
    """Each kind of URL alone at 32 clients, warm, on the recommended worker model."""
    clients = report.TARGET_CLIENTS
    server.flush_cache()
    node = server.Server(model, url, workdir).start()
    try:
        wrk.once(node.base, files["mix"], options.cold_clients)  # warm, as the mix phases were
        kinds = {}
        for kind in mix.SHARES:
            figures = phase(
                f"{model} {kind} ×{clients}", lambda k=kind: wrk.timed(node.base, files[k], clients, options.duration)
            )
            kinds[kind] = {**figures, "urls": counts[kind]}
        return {"model": model, "clients": clients, "kinds": kinds}
    finally:
        node.stop()


def measure_backend(key: str, workdir: Path, options) -> tuple[str, dict]:
    name, url = data.BACKENDS[key]
    result = {"data": ""}
    try:
        result["data"] = data.ensure(name, url, options.entries)
        log(result["data"])
        by_kind = mix.build(read_sample(url), options.urls)
        files = mix.write(by_kind, workdir / f"urls-{key}")
        files["static"] = workdir / "static.txt"
        result["models"] = {}
        for model in options.models:
            log(f"{name}: {server.MODEL_LABELS[model]}")
            try:
                result["models"][model] = measure_model(model, url, workdir, files, options)
            except (RuntimeError, ValueError, subprocess.SubprocessError) as error:  # the other models still run
                result["models"][model] = {"error": f"{type(error).__name__}: {error}"}
                log(result["models"][model]["error"][:2000])
        best = report.recommended({m: r for m, r in result["models"].items() if "error" not in r})
        if best:
            counts = {kind: len(urls) for kind, urls in by_kind.items()}
            result["endpoints"] = measure_endpoints(best, url, workdir, files, counts, options)
    except (RuntimeError, ValueError, subprocess.SubprocessError, OSError) as error:  # the other back-end still runs
        result["error"] = f"{type(error).__name__}: {error}"[-2000:]
        log(result["error"])
    return name, result


def _commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return (result.stdout.strip() or "unknown") + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def _wrk_version() -> str:
    result = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (result.stdout + result.stderr).split("[")[0].strip() or "wrk"


def _static_path(workdir: Path) -> tuple[str, float]:
    """The hashed URL of STATIC_FILE in the collected manifest, and the file's size in KB."""
    manifest = json.loads((workdir / "static" / "staticfiles.json").read_text(encoding="utf-8"))
    hashed = manifest["paths"][STATIC_FILE]
    return f"/static/{hashed}", (workdir / "static" / hashed).stat().st_size / 1024


def main(argv=None) -> int:
    options = _parse(argv)
    if not wrk.available():
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return 2
    if subprocess.run(["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "ping"], capture_output=True, check=False).returncode:
        print(f"Redis ne répond pas sur {REDIS_HOST}:{REDIS_PORT} : démarrez-le (redis-server), puis relancez.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    keys = ["postgres", "sqlite"] if options.backend == "both" else [options.backend]
    workdir = Path(tempfile.mkdtemp(prefix="tpj-loadtest-"))
    started = time.perf_counter()
    run = {
        "cores": os.cpu_count(),
        "load_at_start": os.getloadavg()[0],
        "commit": _commit(),
        "command": "python -m scripts.loadtest"
        + ("" if argv is None and len(sys.argv) < 2 else " " + shlex.join(argv if argv is not None else sys.argv[1:])),
        "wrk_version": _wrk_version(),
        "duration": options.duration,
        "static_duration": options.static_duration,
        "urls": mix.counts(options.urls),
        "backends": {},
    }
    print(f"== loadtest: {', '.join(keys)}; worker models {', '.join(options.models)}; {options.entries} entries", flush=True)
    status = 0
    try:
        server.collectstatic(workdir)
        run["static_path"], run["static_kb"] = _static_path(workdir)
        (workdir / "static.txt").write_text(run["static_path"] + "\n", encoding="utf-8")
        for key in keys:
            name, result = measure_backend(key, workdir, options)
            run["backends"][name] = result
            status = status or int("error" in result)
    except KeyboardInterrupt as interruption:
        print(f"interrupted ({interruption}): cleaning up", flush=True)
        return 130
    finally:
        server.flush_cache()
        if options.keep_logs:
            log(f"logs and URL files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        if options.drop_data:
            for key in keys:
                data.drop(*data.BACKENDS[key])
    body = report.render(run)
    print(body, flush=True)
    if not options.no_docs:
        report.write(options.docs, body)
        log(f"written to {options.docs}")
    log(f"done in {time.perf_counter() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
