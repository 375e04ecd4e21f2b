"""wrk (Debian's package) driven through cycle.lua: one phase = one wrk run, read back from
the `LOADTEST {json}` line that the script's done() prints."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("cycle.lua")
INSTALL_HINT = "wrk est introuvable : installez-le avec `sudo apt-get install -y wrk` (paquet Debian/Ubuntu), puis relancez."
TIMEOUT = "10s"  # an answer slower than this counts as a socket error (timeout), not a latency
ONCE_LIMIT_SECONDS = 1800  # a cold pass that has not ended by then is cut short


def available() -> bool:
    return shutil.which("wrk") is not None


def parse(output: str) -> dict:
    """The figures of one wrk run from its output: requests/s, latency percentiles in ms,
    answers that were not 2xx/3xx, socket errors (connect, read, write, timeout)."""
    lines = [line for line in output.splitlines() if line.startswith("LOADTEST ")]
    if not lines:
        raise ValueError(f"no LOADTEST line in wrk's output:\n{output[-1500:]}")
    raw = json.loads(lines[-1].removeprefix("LOADTEST "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rate": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx_3xx": raw["status"],
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "kb_per_request": raw["bytes"] / 1024 / raw["requests"] if raw["requests"] else 0.0,
    }


def _command(base: str, paths: Path, clients: int, seconds: float, extra: list[str]) -> list[str]:
    threads = max(1, min(2, clients))  # 2 cores: more wrk threads would only take CPU from the server
    return [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(clients),
        "-d",
        f"{int(seconds)}s",
        "--timeout",
        TIMEOUT,
        "--latency",
        "-s",
        str(SCRIPT),
        base,
        "--",
        str(paths),
        str(threads),
        *extra,
    ]


def timed(base: str, paths: Path, clients: int, seconds: float) -> dict:
    """`clients` connections cycling through the file `paths` for `seconds`."""
    result = subprocess.run(
        _command(base, paths, clients, seconds, []), capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    return parse(result.stdout + result.stderr)


def once(base: str, paths: Path, clients: int) -> dict:
    """Every line of `paths` requested once by `clients` connections (the cold pass): wrk is
    stopped (SIGINT, after which it prints its summary) when each of its threads is done."""
    folder = Path(tempfile.mkdtemp(prefix="tpj-loadtest-once-"))
    marker = str(folder / "done-")
    command = _command(base, paths, clients, ONCE_LIMIT_SECONDS, ["once", marker])
    threads = int(command[2])
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
            deadline = time.monotonic() + ONCE_LIMIT_SECONDS
            while time.monotonic() < deadline and process.poll() is None:
                if len(os.listdir(folder)) >= threads:
                    process.send_signal(signal.SIGINT)
                    break
                time.sleep(0.05)
            output, _ = process.communicate(timeout=60)
        return parse(output)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
