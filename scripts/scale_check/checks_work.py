"""Checks 4–5: the two workers share the work, and a killed worker loses and duplicates nothing."""

import re
import secrets
import signal
import time
from collections import Counter

from tpj.accounts.demo import DEMO_PASSWORD

from .cluster import ADMIN, Cluster, free_port, log
from .result import Result
from .web import Browser, logged_in

SEND_TASK = "tpj.outbox.tasks.send_email"
IMPORT_TASK = "tpj.registry.tasks.imports.run_import"
PURPOSE = "registry.moderation_decision"  # a declared purpose with no on-sent hook
EMAIL_TIMEOUT = 120
IMPORT_TIMEOUT = 240  # a lease to expire, then the minute's recovery, then the rest of the file

# Each message's task is queued twice, the copies side by side in the queue (commit hooks
# run in order): the two workers' threads take them at the same moment and race for the row.
ENQUEUE = """
from functools import partial
from django.db import transaction
from tpj.core.queue import enqueue_quietly
from tpj.outbox.services import enqueue
from tpj.outbox.tasks import send_email
with transaction.atomic():
    for index in range({count}):
        message = enqueue({purpose!r}, to=f"scale-{{index}}@example.org", subject=f"{tag} n° {{index}}",
                          body="Message de vérification de la montée en charge.")
        transaction.on_commit(partial(enqueue_quietly, send_email, message.pk))
"""

GENERATE = """
from tpj.registry.synthetic import Generator
Generator(seed=15).write_csv({path!r}, {rows}, source_prefix="SCALE")
"""

_EXECUTING = re.compile(r"Executing (\S+): ([0-9a-f-]{36})")
_DONE = re.compile(r"([0-9a-f-]{36}) executed in")


def _executions(text: str, prefix: str) -> tuple[int, set]:
    """Tasks whose name starts with `prefix` in a huey worker's log: how many started (each
    task id once, a log line may be written by two handlers), and the ids of those started
    but not finished (running when the log was read)."""
    started, done = set(), set()
    for line in text.splitlines():
        if (match := _EXECUTING.search(line)) and match.group(1).startswith(prefix):
            started.add(match.group(2))
        elif match := _DONE.search(line):
            done.add(match.group(1))
    return len(started), started - done


def emails_exactly_once(cluster: Cluster, count: int) -> Result:
    """Messages written to the outbox in one transaction are each received once by the SMTP server."""
    result = Result(f"4. {count} e-mails mis en file (tâche en double), chacun envoyé une fois par les deux workers")
    tag = f"scale-check {secrets.token_hex(4)}"
    before = {p.name: _executions(p.log_text(), SEND_TASK)[0] for p in cluster.workers}
    # The shell that writes the messages has no reachable mail server: if it sent anything
    # itself, the message would fail there and never reach the sink — only workers count.
    env_mail = {"EMAIL_URL": f"smtp://127.0.0.1:{free_port()}"}
    started = time.perf_counter()
    cluster.manage("shell", "-c", ENQUEUE.format(count=count, purpose=PURPOSE, tag=tag), log_name="emails", extra_env=env_mail)
    queued = time.perf_counter()
    received = []
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while time.monotonic() < deadline:
        received = [m for m in cluster.sink.messages() if tag in m["subject"]]
        if len(received) >= count:
            break
        time.sleep(0.2)
    last = time.perf_counter()
    time.sleep(3)  # a late duplicate would arrive now
    received = [m for m in cluster.sink.messages() if tag in m["subject"]]
    subjects = Counter(m["subject"] for m in received)
    result.expect(len(received) == count, f"{len(received)} messages reçus par le serveur SMTP ({count} attendus)")
    result.expect(len(subjects) == count, f"{len(subjects)} messages distincts reçus sur {count}")
    twice = sorted(s for s, n in subjects.items() if n > 1)
    # Django draws a new Message-ID at each hand-over: a message sent twice shows by its subject.
    result.expect(not twice, f"{len(twice)} message(s) reçu(s) plus d'une fois" + (f" : {twice[:3]}" if twice else ""))
    states = dict(cluster.sql(f"select status, count(*) from outbox_outgoingemail where subject like '%{tag}%' group by status"))
    result.expect(states == {"sent": str(count)}, f"état des messages dans la base : {states}")
    shares = {p.name: _executions(p.log_text(), SEND_TASK)[0] - before[p.name] for p in cluster.workers}
    result.note(f"mise en file {queued - started:.1f} s (démarrage de Django compris), envoi en {last - queued:.1f} s")
    if received:
        result.note(f"{len(received) / max(last - queued, 0.001):.0f} messages/s pour les deux workers")
    result.note(
        f"tâches d'envoi exécutées ({2 * count} mises en file) par worker : " + ", ".join(f"{k} {v}" for k, v in shares.items())
    )
    return result


def _job(cluster: Cluster, pk: str) -> dict:
    row = cluster.sql(f"select status, next_row, total_rows, created_count, error_count from registry_importjob where id = {pk}")
    if not row:
        return {}
    status, next_row, total, created, errors = row[0]
    return {"status": status, "next_row": int(next_row), "total": int(total), "created": int(created), "errors": int(errors)}


def _running_worker(cluster: Cluster):
    """The live worker running an import task now (from the workers' logs), else the last one that started one."""
    candidates = []
    for process in cluster.workers:
        if not process.alive:
            continue
        text = process.log_text()
        started, open_ids = _executions(text, IMPORT_TASK)
        if open_ids:
            return process, "tâche d'import en cours dans son journal"
        if started:
            candidates.append((text.rfind(f"Executing {IMPORT_TASK}"), process))
    if candidates:
        return max(candidates, key=lambda c: c[0])[1], "dernière tâche d'import démarrée"
    alive = [p for p in cluster.workers if p.alive]
    return (alive[0], "aucune tâche d'import dans les journaux") if alive else (None, "aucun worker vivant")


def import_survives_killed_worker(cluster: Cluster, rows: int) -> Result:
    """A worker SIGKILLed mid-import: the other one finishes it, no row lost, none twice."""
    result = Result(f"5. import de {rows} lignes, worker tué (SIGKILL) à mi-parcours")
    path = cluster.workdir / "scale-import.csv"
    cluster.manage("shell", "-c", GENERATE.format(path=str(path), rows=rows), log_name="import")
    source = f"scale-check-{secrets.token_hex(4)}"
    node1 = cluster.nodes[0]
    browser = Browser()
    result.expect(logged_in(browser.login(node1, ADMIN, DEMO_PASSWORD)), "connexion de l'administratrice sur le nœud 1")
    with path.open("rb") as handle:
        posted = browser.post(node1, "/annuaire/import/", {"source": source}, files={"file": ("reseau.csv", handle, "text/csv")})
    match = re.search(r"/annuaire/import/(\d+)/", posted.headers.get("Location", ""))
    if not match:
        return result.fail(f"le dépôt du fichier n'a pas créé d'import (HTTP {posted.status_code})")
    pk = match.group(1)
    started = time.perf_counter()
    killed_at, victim = None, None
    deadline = time.monotonic() + IMPORT_TIMEOUT
    job = _job(cluster, pk)
    while time.monotonic() < deadline:
        job = _job(cluster, pk)
        if job.get("status") in ("done", "failed"):
            break
        # Chunks grow (2,000 rows, then doubling): the first progress seen past a third of the
        # file is as close to half-way as the chunks allow.
        if killed_at is None and job.get("total") and job["total"] // 3 <= job["next_row"] < job["total"]:
            victim, why = _running_worker(cluster)
            if victim is None:
                return result.fail(why)
            victim.kill_group(signal.SIGKILL)
            victim.popen.wait(timeout=10)
            killed_at = time.perf_counter()
            log(f"{victim.name} SIGKILLed at row {job['next_row']}/{job['total']} ({why})")
            result.note(f"{victim.name} tué à la ligne {job['next_row']} sur {job['total']} ({why})")
        time.sleep(0.1)
    finished = time.perf_counter()
    if killed_at is None:
        result.expect(False, f"l'import n'a pas été vu à mi-parcours (état {job}) : aucun worker tué")
    result.expect(job.get("status") == "done", f"état final de l'import : {job.get('status')} ({job})")
    entries, distinct = cluster.sql(
        f"select count(*), count(distinct external_id) from registry_entry where import_source = '{source}'"
    )[0]
    entries, distinct = int(entries), int(distinct)
    expected = rows - job.get("errors", 0)
    result.expect(entries == expected, f"{entries} fiches créées pour {rows} lignes dont {job.get('errors', 0)} refusées")
    result.expect(distinct == entries, f"{entries - distinct} identifiant(s) externe(s) en double")
    result.expect(job.get("created") == entries, f"compteur de l'import : {job.get('created')} créées (base : {entries})")
    result.note(
        f"durée totale {finished - started:.0f} s" + (f", dont reprise {finished - killed_at:.0f} s" if killed_at else "")
    )
    return result
