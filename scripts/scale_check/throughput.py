"""Public reads through both web nodes: requests per second and latency at 8 and 32 clients.

Each client is a thread with its own connection; client i sends its requests to node i mod 2,
as a round-robin load balancer would. The clients run on the same machine as the nodes, so
the figures are a floor, not a capacity.
"""

import statistics
import threading
import time

import requests

PATHS = {"page d'accueil": "/", "API de la carte": "/api/v1/map/?zoom=5"}


def _client(base: str, path: str, stop_at: float, latencies: list, errors: list) -> None:
    session = requests.Session()
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            response = session.get(base + path, timeout=30)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        (latencies if ok else errors).append(time.perf_counter() - started)


def measure(nodes: list, path: str, clients: int, seconds: float) -> dict:
    latencies, errors = [], []
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(nodes[i % len(nodes)], path, stop_at, latencies, errors)) for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "rate": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


def run(nodes: list, concurrency=(8, 32), seconds: float = 5.0) -> list[str]:
    """Markdown table rows, one per (page, clients)."""
    rows = ["| Lecture publique | Clients | Requêtes/s | p50 (ms) | p95 (ms) | Erreurs |", "|---|---:|---:|---:|---:|---:|"]
    for label, path in PATHS.items():
        measure(nodes, path, 2, 1.0)  # warm both nodes' workers (imports, caches)
        for clients in concurrency:
            figures = measure(nodes, path, clients, seconds)
            rows.append(
                f"| {label} (`{path}`) | {clients} | {figures['rate']:.0f} | {figures['p50_ms']:.0f} | "
                f"{figures['p95_ms']:.0f} | {figures['errors']} |"
            )
    return rows
