"""The load test's section of docs/benchmarks.md (between `<!-- bench:load:start -->` and
`<!-- bench:load:end -->`): one table per back-end, the static-file ceiling beside each figure."""

from pathlib import Path

from tpj.core.bench import thousands

from .server import MODEL_LABELS

SECTION = "load"
TARGET_CLIENTS, TARGET_RATE, TARGET_P95_MS = 32, 600, 150


def target_verdict(figures: dict) -> str:
    """« met », or « missed » with what fell short (rate, p95, errors)."""
    reasons = []
    if figures["rate"] < TARGET_RATE:
        reasons.append(f"{thousands(figures['rate'])} req/s < {TARGET_RATE}")
    if figures["p95_ms"] > TARGET_P95_MS:
        reasons.append(f"p95 {figures['p95_ms']:.0f} ms > {TARGET_P95_MS}")
    errors = figures["non_2xx_3xx"] + figures["socket_errors"]
    if errors:
        reasons.append(f"{thousands(errors)} errors")
    return "**met**" if not reasons else "**missed**: " + "; ".join(reasons)


def recommended(models: dict) -> str | None:
    """The worker model with the most requests/s at 32 clients among those without errors
    (all of them if every one had errors), the lower p95 breaking ties."""
    at_target = {name: m["mix"][TARGET_CLIENTS] for name, m in models.items() if TARGET_CLIENTS in m.get("mix", {})}
    clean = {name: f for name, f in at_target.items() if not f["non_2xx_3xx"] and not f["socket_errors"]} or at_target
    if not clean:
        return None
    return max(clean, key=lambda name: (clean[name]["rate"], -clean[name]["p95_ms"]))


def _share(rate: float, ceiling: dict | None) -> str:
    return f"{100 * rate / ceiling['rate']:.1f} %" if ceiling and ceiling["rate"] else "—"


def _ceiling(ceiling: dict | None) -> str:
    return thousands(ceiling["rate"]) if ceiling else "—"


def _load(figures: dict) -> str:
    return f"{figures['load_before']:.2f} → {figures['load_after']:.2f}"


def _row(cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _figures(figures: dict) -> list:
    return [
        f"{figures['p50_ms']:.1f}",
        f"{figures['p95_ms']:.1f}",
        f"{figures['p99_ms']:.1f}",
        thousands(figures["non_2xx_3xx"]),
        thousands(figures["socket_errors"]),
        _load(figures),
    ]


def backend_table(result: dict) -> list[str]:
    """The lines of one back-end: the worker models' phases, the recommendation, the endpoints."""
    lines = [f"- data: {result['data']}"]
    if "error" in result:
        return [*lines, "", "Échec de la mesure :", "", "```", result["error"], "```"]
    lines += [
        "",
        "| worker model | phase | clients | req/s | static ceiling (req/s) | share of ceiling | p50 (ms) | p95 (ms) | p99 (ms) "
        "| non-2xx/3xx | socket errors | load 1-min before → after | target (32 clients) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    models = result["models"]
    for name, model in models.items():
        label = MODEL_LABELS.get(name, name)
        if "error" in model:
            lines.append(_row([label, f"échec : {model['error'][:300]}", *[""] * 11]))
            continue
        static = model["static"]
        for clients, figures in static.items():
            lines.append(
                _row(
                    [
                        label,
                        "static file",
                        clients,
                        thousands(figures["rate"]),
                        thousands(figures["rate"]),
                        "100 %",
                        *_figures(figures),
                        "—",
                    ]
                )
            )
        cold = model["cold"]
        ceiling = static.get(model["cold_clients"])
        lines.append(
            _row(
                [
                    label,
                    "mix, cold pass (each URL once)",
                    model["cold_clients"],
                    thousands(cold["rate"]),
                    _ceiling(ceiling),
                    _share(cold["rate"], ceiling),
                    *_figures(cold),
                    "—",
                ]
            )
        )
        for clients, figures in model["mix"].items():
            ceiling = static.get(clients)
            verdict = target_verdict(figures) if clients == TARGET_CLIENTS else "—"
            lines.append(
                _row(
                    [
                        label,
                        "mix, warm",
                        clients,
                        thousands(figures["rate"]),
                        _ceiling(ceiling),
                        _share(figures["rate"], ceiling),
                        *_figures(figures),
                        verdict,
                    ]
                )
            )
    best = recommended({n: m for n, m in models.items() if "error" not in m})
    if best:
        lines += [
            "",
            f"Recommended worker model on this back-end (most req/s at 32 clients without errors): **{MODEL_LABELS[best]}**.",
        ]
    endpoints = result.get("endpoints")
    if endpoints:
        ceiling = models[endpoints["model"]]["static"].get(endpoints["clients"])
        lines += [
            "",
            f"Per endpoint, warm, {endpoints['clients']} clients, {MODEL_LABELS[endpoints['model']]}:",
            "",
            "| endpoint | URLs | req/s | share of ceiling | KB per answer | p50 (ms) | p95 (ms) | p99 (ms) | non-2xx/3xx | socket errors "
            "| load 1-min before → after |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for kind, figures in endpoints["kinds"].items():
            lines.append(
                _row(
                    [
                        ENDPOINT_LABELS[kind],
                        figures["urls"],
                        thousands(figures["rate"]),
                        _share(figures["rate"], ceiling),
                        f"{figures['kb_per_request']:.1f}",
                        *_figures(figures),
                    ]
                )
            )
    return lines


ENDPOINT_LABELS = {
    "map": "map API (national, régional, départemental, city; ± filters)",
    "search": "search API (text, priority + département, near a commune, combined)",
    "entry": "entry page (HTML)",
    "directory": "directory page with filters (HTML)",
}


def render(run: dict) -> str:
    """The Markdown section for one run (`run` as built by run.main)."""
    urls = run["urls"]
    lines = [
        "## Load — concurrent mixed public traffic (issue 16 §2)",
        "",
        f"Machine: {run['cores']} cores, load average (1 min) {run['load_at_start']:.2f} at the start. Commit `{run['commit']}`. "
        f"Command: `{run['command']}`.",
        "",
        f"One web node (production profile: DEBUG off, WhiteNoise, Redis cache flushed before each worker model) on 127.0.0.1; "
        f"wrk ({run['wrk_version']}) on the same machine, 2 threads, keep-alive, a browser's `Accept-Encoding`. "
        f"{thousands(sum(urls.values()))} distinct URLs drawn from the registry "
        f"({thousands(urls['map'])} map API, {thousands(urls['search'])} search API, {thousands(urls['entry'])} entry pages, "
        f"{thousands(urls['directory'])} directory pages), shuffled. Static ceiling: `{run['static_path']}` "
        f"({run['static_kb']:.1f} KB) at the same number of clients, {run['static_duration']:.0f} s. Cold pass: each URL once, "
        f"right after the server started; then the mix, warm, {run['duration']:.0f} s per number of clients. "
        f"Target: at {TARGET_CLIENTS} clients ≥ {TARGET_RATE} req/s at p95 ≤ {TARGET_P95_MS} ms with 0 errors.",
    ]
    for name, result in run["backends"].items():
        lines += ["", f"### {name}", "", *backend_table(result)]
    return "\n".join(lines)


def write(path: Path, body: str) -> None:
    """Replace the load section of `path` (appended when the markers are missing)."""
    from tpj.core.management.commands.bench import replace_section

    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(text, SECTION, body), encoding="utf-8")
