"""Checks 1–3: what the web nodes share (sessions, uploaded files, the login lockout)."""

import re
import secrets

from tpj.accounts.demo import DEMO_PASSWORD

from .cluster import ADMIN, LOGIN_FAILURE_LIMIT, Cluster
from .result import Result
from .web import DASHBOARD, LOGIN, LOGOUT, Browser, logged_in, page_text

APPLICANT = "porteur@demo.1000jours.fr"
PROFESSIONAL = "pro@demo.1000jours.fr"
WRONG_PASSWORD = "pas-le-bon-mot-de-passe"
LOCKED = "Trop de tentatives de connexion infructueuses"


def session_shared(cluster: Cluster) -> Result:
    """A session opened on node 1 is valid on node 2, and closed on node 2 it is closed on node 1."""
    node1, node2 = cluster.nodes[:2]
    result = Result("1. session ouverte sur le nœud 1, valide sur le nœud 2")
    anonymous = Browser().get(node2, DASHBOARD)
    result.expect(anonymous.status_code == 302, f"anonyme sur le nœud 2 : HTTP {anonymous.status_code} (302 attendu)")
    first = Browser()
    result.expect(logged_in(first.login(node1, ADMIN, DEMO_PASSWORD)), "connexion sur le nœud 1")
    # A new client holding only the cookies the first node set, pointed at the second node.
    second = Browser(first.cookies())
    page = second.get(node2, DASHBOARD)
    result.expect(
        page.status_code == 200 and ADMIN in page_text(page),
        f"« Mon espace » sur le nœud 2 avec le cookie du nœud 1 : HTTP {page.status_code}",
    )
    logout = second.post(node2, LOGOUT, {}, form_path=DASHBOARD)
    result.expect(logout.status_code == 302, f"déconnexion sur le nœud 2 : HTTP {logout.status_code}")
    after = first.get(node1, DASHBOARD)
    result.expect(
        after.status_code == 302 and LOGIN in after.headers.get("Location", ""),
        f"après la déconnexion sur le nœud 2, le nœud 1 renvoie à la connexion : HTTP {after.status_code}",
    )
    return result


def upload_shared(cluster: Cluster) -> Result:
    """A call attachment uploaded through node 1 downloads, byte for byte, from node 2."""
    node1, node2 = cluster.nodes[:2]
    result = Result("2. fichier déposé sur le nœud 1, téléchargé depuis le nœud 2")
    draft = cluster.sql_value(
        "select a.id from calls_application a join accounts_user u on u.id = a.created_by_id "
        f"where u.email = '{APPLICANT}' and a.state in ('draft', 'info_requested') order by a.id limit 1"
    )
    if not draft:
        return result.fail(f"aucun brouillon de candidature pour {APPLICANT} dans les données de démonstration")
    detail = f"/appels-a-projets/candidatures/{draft}/"
    browser = Browser()
    result.expect(logged_in(browser.login(node1, APPLICANT, DEMO_PASSWORD)), "connexion du porteur sur le nœud 1")
    label = f"Pièce scale-check {secrets.token_hex(4)}"
    content = b"%PDF-1.4\n% scale-check " + secrets.token_hex(2048).encode() + b"\n%%EOF\n"
    posted = browser.post(
        node1,
        f"{detail}action/attachment/",
        {"label": label},
        files={"file": ("piece.pdf", content, "application/pdf")},
        form_path=detail,
    )
    result.expect(posted.status_code == 302, f"dépôt sur le nœud 1 : HTTP {posted.status_code}")
    page = browser.get(node2, detail)
    match = re.search(r'href="(/appels-a-projets/pieces-jointes/\d+/)">' + re.escape(label) + "<", page_text(page))
    if not match:
        return result.fail(f"la pièce « {label} » n'apparaît pas sur le nœud 2 (HTTP {page.status_code})")
    download = browser.get(node2, match.group(1))
    result.expect(
        download.status_code == 200 and download.content == content,
        f"téléchargement sur le nœud 2 : HTTP {download.status_code}, {len(download.content)} octets "
        f"({'identiques' if download.content == content else 'différents'} des {len(content)} déposés)",
    )
    stranger = Browser().get(node2, match.group(1))
    result.expect(stranger.status_code in (302, 403, 404), f"sans session, le nœud 2 refuse : HTTP {stranger.status_code}")
    return result


def lockout_shared(cluster: Cluster) -> Result:
    """Failed logins alternated between the nodes lock the address on both after the limit."""
    nodes = cluster.nodes[:2]
    result = Result(f"3. verrouillage après {LOGIN_FAILURE_LIMIT} échecs alternés entre les nœuds")
    probe = Browser()
    result.expect(logged_in(probe.login(nodes[1], PROFESSIONAL, DEMO_PASSWORD)), "le compte se connecte d'abord")
    seen = [0, 0]
    for attempt in range(LOGIN_FAILURE_LIMIT):
        index = attempt % 2
        seen[index] += 1
        answer = Browser().login(nodes[index], PROFESSIONAL, WRONG_PASSWORD)
        text = page_text(answer)
        if logged_in(answer) or LOCKED in text:
            return result.fail(f"échec n° {attempt + 1} sur le nœud {index + 1} : verrouillé ou connecté trop tôt")
    for index, node in enumerate(nodes, start=1):
        answer = Browser().login(node, PROFESSIONAL, DEMO_PASSWORD)
        result.expect(
            not logged_in(answer) and LOCKED in page_text(answer),
            f"nœud {index} (il n'a vu que {seen[index - 1]} échecs) : le bon mot de passe est refusé, compte verrouillé",
        )
    return result
