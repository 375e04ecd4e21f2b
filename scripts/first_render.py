"""First render of the national maps on a cold browser cache (issue 19), printed as Markdown.

For /annuaire/, /valorisation/projets/ and /valorisation/tableau-de-bord/, each run opens a new
headless Chromium context (an empty HTTP cache), refuses every request that leaves the machine
(tiles included, as on a ministry network), navigates to the page and notes, in the page's own
clock (`performance.now()`, 0 = navigation start):

- « contours »: the régions' outlines and names on the map (`performance.mark("tpj-outlines-drawn")`
  set by core/outlines.js, or, for the dashboard, which colours the shapes itself, the first
  frame with the 18 shapes and their names);
- « carte complète »: the first animation frame where the outlines and the figures are all in
  the page: the counts of the directory, the markers of the projetothèque (as many as its
  GeoJSON gives), the dashboard's coloured shapes and the legend with its numbers.

It also sums what the page fetched until then: the bytes received (as this server sends them;
`runserver` does not compress) and the same bodies gzipped (level 9, text types only: what
whitenoise's compressed copies and a compressing proxy send in production).

Against the demo server:

    cd /work/main
    export DATABASE_URL=sqlite:////tmp/demo_h19.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_territories && .venv/bin/python manage.py load_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8152 --noreload &
    .venv/bin/python scripts/first_render.py --base-url http://127.0.0.1:8152 --runs 5

The dashboard is read as the demo's national team (`--email`, `--password`), signed in through
the login page before the measured navigation.
"""

import argparse
import datetime
import gzip
import os
import re
import statistics
import subprocess
from pathlib import Path

CHROMIUM = os.environ.get("TPJ_CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 1500

# What "drawn" means on each page: a JavaScript expression true once everything is in the page.
OUTLINES = "q('{map} .leaflet-outlines-pane path') >= 18 && q('{map} .tpj-outline-label') >= 1"
PAGES = [
    {
        "path": "/annuaire/",
        "name": "Annuaire (`/annuaire/`)",
        "outlines": OUTLINES.format(map="#carte"),
        "complete": OUTLINES.format(map="#carte") + " && q('#carte .registry-count--territory') >= 1",
    },
    {
        "path": "/valorisation/projets/",
        "name": "Projetothèque (`/valorisation/projets/`)",
        "outlines": OUTLINES.format(map="#projects-map"),
        "complete": OUTLINES.format(map="#projects-map").replace(" && q('#projects-map .tpj-outline-label') >= 1", "")
        + " && document.querySelector('#projects-map[data-projects]') !== null"
        + " && q('#projects-map .tpj-project-marker-icon') === Number(document.querySelector('#projects-map').dataset.projects)",
    },
    {
        "path": "/valorisation/tableau-de-bord/",
        "name": "Tableau de bord (`/valorisation/tableau-de-bord/`)",
        "login": True,
        "outlines": "q('#dashboard-map .leaflet-outlines-pane path') >= 18 && q('#dashboard-map .tpj-outline-label') >= 13",
        "complete": "q('#dashboard-map .leaflet-outlines-pane path') >= 18 && q('#dashboard-map .tpj-outline-label') >= 13"
        " && /\\d/.test((document.getElementById('dashboard-map-legend') || {}).textContent || '')",
    },
]

# Installed before the page's own scripts: watches the DOM and notes, at the next animation
# frame (the one that paints it), when each condition first holds.
WATCHER = """
(() => {
  const q = (selector) => document.querySelectorAll(selector).length;
  const conditions = { outlines: () => (%(outlines)s), complete: () => (%(complete)s) };
  const seen = {};
  window.__tpjRender = {};
  function check() {
    for (const name in conditions) {
      if (seen[name]) continue;
      let ok = false;
      try { ok = conditions[name](); } catch (e) { ok = false; }
      if (ok) {
        seen[name] = true;
        requestAnimationFrame(() => { window.__tpjRender[name] = performance.now(); });
      }
    }
    if (seen.outlines && seen.complete) observer.disconnect();
  }
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();
"""

COMPRESSIBLE = re.compile(r"text/|javascript|json|svg|xml")


def load_average() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(uptime indisponible)"


def sign_in(page, base_url: str, email: str, password: str):
    page.goto(base_url + "/comptes/connexion/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    if "/comptes/connexion/" in page.url:
        raise SystemExit(f"Connexion refusée pour {email} : vérifiez le compte de démonstration.")


def one_run(browser, base_url: str, spec: dict, args) -> dict:
    context = browser.new_context(locale="fr-FR", viewport={"width": args.width, "height": 900})
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page = context.new_page()
    if spec.get("login"):
        sign_in(page, base_url, args.email, args.password)
    page.add_init_script(WATCHER % {"outlines": spec["outlines"], "complete": spec["complete"]})
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base_url + spec["path"], wait_until="commit")
    page.wait_for_function("() => window.__tpjRender && window.__tpjRender.complete !== undefined", timeout=args.timeout * 1000)
    result = page.evaluate(
        """() => {
          const mark = performance.getEntriesByName('tpj-outlines-drawn')[0];
          return {
            outlines: mark ? mark.startTime : window.__tpjRender.outlines,
            complete: window.__tpjRender.complete,
            fetched: performance.getEntriesByType('resource')
              .filter(r => r.responseEnd <= window.__tpjRender.complete).map(r => r.name),
          };
        }"""
    )
    fetched = set(result["fetched"]) | {page.url}
    wire = compressed = count = 0
    for response in list(responses):
        if response.url not in fetched or response.status >= 300 or response.request.failure:
            continue
        body = response.body()
        sizes = response.request.sizes()
        wire += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        kind = response.headers.get("content-type", "")
        compressed += len(gzip.compress(body, 9)) if COMPRESSIBLE.search(kind) else len(body)
        count += 1
    context.close()
    return {"outlines": result["outlines"], "complete": result["complete"], "wire": wire, "gzip": compressed, "requests": count}


def ms(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") + " ms"


def kib(value: float) -> str:
    return f"{value / 1024:,.0f}".replace(",", "\u202f") + " Kio"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8152")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--email", default="national@demo.1000jours.fr")
    parser.add_argument("--password", default="demo-1000-jours")
    parser.add_argument("--timeout", type=int, default=30, help="seconds to wait for a map")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} absent : apt-get install chromium")

    from playwright.sync_api import sync_playwright

    before = load_average()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--lang=fr-FR"]
        )
        for spec in PAGES:
            runs = [one_run(browser, args.base_url, spec, args) for _ in range(args.runs)]
            rows.append((spec, runs))
        browser.close()
    after = load_average()

    print(f"Mesuré le {datetime.date.today():%Y-%m-%d}, {args.runs} chargements à froid par page, {args.width} px de large, ")
    print(f"serveur {args.base_url}, toute requête hors de la machine refusée (tuiles comprises).")
    print(f"Charge avant : `{before}` ; après : `{after}`.")
    print()
    print(
        "| page | contours p50 | contours max | carte complète p50 | carte complète max "
        "| reçu (tel que servi) | gzip | requêtes | objectif ≤ 1,5 s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for spec, runs in rows:
        complete = [r["complete"] for r in runs]
        outlines = [r["outlines"] for r in runs]
        verdict = (
            "atteint"
            if max(complete) <= TARGET_MS
            else ("atteint en médiane" if statistics.median(complete) <= TARGET_MS else "manqué")
        )
        print(
            f"| {spec['name']} | {ms(statistics.median(outlines))} | {ms(max(outlines))} "
            f"| {ms(statistics.median(complete))} | {ms(max(complete))} "
            f"| {kib(statistics.median(r['wire'] for r in runs))} | {kib(statistics.median(r['gzip'] for r in runs))} "
            f"| {statistics.median(r['requests'] for r in runs):.0f} | {verdict} |"
        )
    print()
    print("Toutes les mesures (carte complète, ms) :")
    for spec, runs in rows:
        print(f"- {spec['path']} : " + ", ".join(f"{r['complete']:.0f}" for r in runs))


if __name__ == "__main__":
    main()
