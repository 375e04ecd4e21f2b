"""Run the benchmarks of each module and write their tables into docs/benchmarks.md.

Each module provides `tpj.<module>.bench.run(options) -> str` (a Markdown section). The
section of a module lies between `<!-- bench:<module>:start -->` and
`<!-- bench:<module>:end -->` and is replaced on each run; the rest of the page is kept.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

MODULES = ["registry", "calls", "valorisation", "queue", "workspace", "training"]
# Where a module's benchmark lives when it is not `tpj.<module>.bench`.
RUNNERS = {"queue": "tpj.core.bench_queue.run"}
DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"


def replace_section(text: str, module: str, body: str) -> str:
    start, end = f"<!-- bench:{module}:start -->", f"<!-- bench:{module}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    return pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text.rstrip()}\n\n{block}\n"


class Command(BaseCommand):
    help = "Lance les bancs d'essai et écrit leurs résultats dans docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=MODULES, action="append", help="module(s) à mesurer")
        parser.add_argument("--entries", type=int, default=1_000_000, help="taille de l'annuaire synthétique")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="mesurer à nouveau sur les bases d'un passage précédent, sans les recharger (Mon espace, offre de formation)",
        )
        parser.add_argument("--offers", type=int, default=20_000, help="offres de formation synthétiques (offre de formation)")
        parser.add_argument("--sessions", type=int, default=100_000, help="sessions synthétiques (offre de formation)")

    def handle(self, *args, **options):
        text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
        for module in options["only"] or MODULES:
            run = import_string(RUNNERS.get(module, f"tpj.{module}.bench.run"))
            self.stdout.write(f"== {module}")
            text = replace_section(text, module, run(options))
            DOCS.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Résultats écrits dans {DOCS}"))
