"""Calls benchmark: ranking and allocation pages of a call with 1,000 applications and 12 jurors,
and the committee's full export of that call built as a worker builds it.

`run(options)` (called by `manage.py bench`) prepares a throw-away database per back-end
(SQLite always; PostgreSQL when DATABASE_URL or BENCH_POSTGRES_URL points to one), then runs
`manage.py calls_bench` in it: the data is built in bulk (12,000 score sheets, 5 % left
unsubmitted) and each page is fetched through Django's test client as the call manager.
"""

import os
import platform
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tpj.core.bench import fresh_database, migrate, read_result, run_manage

TARGET_MS = 200
EXPORT_TARGET_SECONDS = 10


def _backends() -> dict:
    backends = {"SQLite": f"sqlite:///{Path(settings.BASE_DIR) / 'var' / 'bench-calls.sqlite3'}"}
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base = url.rsplit("/", 1)[0]
        backends["PostgreSQL"] = f"{base}/tpj_bench_calls"
    return backends


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}".replace(".", ",") for x in os.getloadavg())
    except OSError:
        return "inconnue"


def run(options) -> str:
    results = {}
    for name, url in _backends().items():
        try:
            fresh_database(name, url)
            migrate(url)
            results[name] = read_result(run_manage(["calls_bench"], url, timeout=3600))
        except Exception as error:  # one back-end failing must not hide the other's figures
            results[name] = {"error": str(error)[-1500:]}
    return render(results)


def render(results: dict) -> str:
    lines = [
        "## Appels à projets — classement et décisions",
        "",
        f"Mesuré le {timezone.localdate():%d/%m/%Y} ({platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cœurs) par `manage.py bench --only calls`. Un appel commun avec 1 000 candidatures recevables, "
        "12 membres de jury, 12 000 fiches de notation (5 % non validées), 4 critères pondérés et 10 questions propres à "
        "l'appel, de tous les types (texte court et long, nombre, montant, date, choix unique et multiples, oui/non, fichier), "
        "répondues par chaque candidature (10 000 réponses) ; chaque page est demandée "
        "50 fois (après 3 requêtes d'échauffement) par le client de test de Django, connecté comme gestionnaire de l'appel. "
        f"Objectif : p95 < {TARGET_MS} ms. Charge moyenne de la machine pendant la mesure : {_load()} (machine partagée : "
        "au-delà du nombre de cœurs, les temps sont gonflés).",
        "",
        "| base | page | p50 (ms) | p95 (ms) | max (ms) | requêtes SQL | objectif |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        if "error" in result:
            lines.append(f"| {name} | échec : {result['error'].splitlines()[-1] if result['error'] else ''} | | | | | |")
            continue
        for label, m in result["pages"].items():
            ok = "atteint" if m["p95"] < TARGET_MS else "**manqué**"
            lines.append(f"| {name} | {label} | {m['p50']:.1f} | {m['p95']:.1f} | {m['max']:.1f} | {m['queries']} | {ok} |")
    lines += [
        "",
        "Export complet du comité (toutes les candidatures, leurs réponses aux 10 questions de l'appel, les notes de chaque juré "
        "par critère, moyennes, écart type et décision), construit comme par un traitement en arrière-plan, fichier écrit "
        f"dans le stockage. Objectif : {EXPORT_TARGET_SECONDS} s.",
        "",
        "| base | fichier | lignes | taille (octets) | durée (s) | objectif |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        for label, m in result.get("exports", {}).items():
            ok = "atteint" if m["seconds"] <= EXPORT_TARGET_SECONDS else "**manqué**"
            lines.append(f"| {name} | {label} | {m['rows']} | {m['bytes']} | {m['seconds']:.1f} | {ok} |")
    lines.append("")
    for name, result in results.items():
        if "error" not in result:
            lines.append(
                f"- {name} : jeu de données construit en {result['build_seconds']:.1f} s ({result['sheets']} fiches de notation, "
                f"{result.get('answers', 0)} réponses aux questions de l'appel)."
            )
    lines += [
        "",
        "Les statistiques du jury (moyenne pondérée, écart, notes validées, attendues, récusations) sont recalculées sur la "
        "candidature à chaque attribution, déclaration d'intérêts ou validation de notation : le classement lit une seule table "
        "indexée, paginée.",
    ]
    return "\n".join(lines)
