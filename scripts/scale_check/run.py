"""`make scale-check`: start the cluster, run every check, print PASS/FAIL, clean up, exit 0 only if all pass."""

import argparse
import platform
import signal
import sys
import time
from pathlib import Path

from . import checks_web, checks_work, throughput
from .cluster import Cluster, log
from .result import Result


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m scripts.scale_check", description=__doc__)
    parser.add_argument("--emails", type=int, default=200, help="e-mails queued for check 4 (200)")
    parser.add_argument("--import-rows", type=int, default=30_000, help="rows of the CSV imported in check 5 (30000)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each throughput measurement (5 s)")
    parser.add_argument("--skip-throughput", action="store_true", help="no throughput figures")
    parser.add_argument("--only", default="", help="comma-separated check numbers to run (e.g. 1,2,3)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the nodes' and workers' logs (path printed)")
    parser.add_argument("--report", type=Path, help="also write the results as markdown to this file")
    return parser.parse_args(argv)


def _stop(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    options = _parse(argv)
    signal.signal(signal.SIGTERM, _stop)
    wanted = {int(n) for n in options.only.split(",") if n.strip()} or {1, 2, 3, 4, 5}
    checks = [
        (1, checks_web.session_shared),
        (2, checks_web.upload_shared),
        (3, checks_web.lockout_shared),
        (4, lambda c: checks_work.emails_exactly_once(c, options.emails)),
        (5, lambda c: checks_work.import_survives_killed_worker(c, options.import_rows)),
    ]
    started = time.perf_counter()
    cluster = Cluster(keep_logs=options.keep_logs)
    results, figures = [], []
    print("== scale-check: 2 web nodes (gunicorn × 2), 2 workers (huey × 2), PostgreSQL, Redis, shared media", flush=True)
    try:
        cluster.start()
        log(f"cluster ready in {time.perf_counter() - started:.0f} s")
        for number, check in checks:
            if number not in wanted:
                continue
            try:
                result = check(cluster)
            except Exception as error:  # a check that crashes is a failed check, the others still run
                result = Result(f"{number}. {check.__doc__ or ''}".strip()).fail(f"{type(error).__name__}: {error}")
            results.append(result)
            print(result.render(), flush=True)
            if number == 3 and not options.skip_throughput:
                figures = throughput.run(cluster.nodes, seconds=options.seconds)
                print("\n".join(["", "Débit des lectures publiques à travers les deux nœuds :", *figures, ""]), flush=True)
    except KeyboardInterrupt as interruption:
        print(f"interrupted ({interruption}): cleaning up", flush=True)
        results.append(Result("interruption").fail(str(interruption)))
    except Exception as error:
        results.append(Result("démarrage de la grappe").fail(f"{type(error).__name__}: {error}"))
        print(results[-1].render(), flush=True)
        options.keep_logs = cluster.keep_logs = True
    finally:
        cluster.close()
    failed = [r for r in results if not r.passed]
    total = time.perf_counter() - started
    summary = f"{len(results) - len(failed)}/{len(results)} checks passed in {total:.0f} s"
    print(("FAIL  " if failed or not results else "PASS  ") + summary, flush=True)
    if options.report:
        _write_report(options.report, results, figures, summary)
    return 1 if failed or not results else 0


def _write_report(path: Path, results, figures, summary) -> None:
    lines = [
        f"Machine : {platform.machine()}, {platform.python_implementation()} {platform.python_version()}.",
        "",
        "```",
        *(r.render() for r in results),
        summary,
        "```",
        "",
        *figures,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
