"""What a browser does against a web node: read the CSRF token of a form, sign in, post."""

import html
import re

import requests

LOGIN = "/comptes/connexion/"
DASHBOARD = "/mon-espace/"
LOGOUT = "/comptes/deconnexion/"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One client's cookie jar, sent to whichever node it is pointed at (like a browser behind
    a load balancer: the cookies belong to the site, not to the node that set them)."""

    def __init__(self, cookies: dict | None = None):
        self.session = requests.Session()
        for name, value in (cookies or {}).items():
            self.session.cookies.set(name, value)

    def cookies(self) -> dict:
        return {c.name: c.value for c in self.session.cookies}

    def get(self, node: str, path: str, **kwargs) -> requests.Response:
        return self.session.get(node + path, allow_redirects=False, timeout=60, **kwargs)

    def token(self, node: str, path: str) -> str:
        """GET a page with a form and return its CSRF token."""
        response = self.get(node, path)
        match = _TOKEN.search(response.text)
        if not match:
            raise RuntimeError(f"no CSRF token on {node}{path} (HTTP {response.status_code})")
        return html.unescape(match.group(1))

    def post(self, node: str, path: str, data: dict, files=None, form_path: str | None = None) -> requests.Response:
        """POST a form as a browser does: the token read from the form's page on the same node."""
        data = {**data, "csrfmiddlewaretoken": self.token(node, form_path or path)}
        return self.session.post(
            node + path, data=data, files=files, allow_redirects=False, timeout=120, headers={"Referer": node + path}
        )

    def login(self, node: str, email: str, password: str) -> requests.Response:
        return self.post(node, LOGIN, {"email": email, "password": password, "next": ""})


def logged_in(response: requests.Response) -> bool:
    """A successful sign-in answers a redirect away from the login page."""
    return response.status_code == 302 and LOGIN not in response.headers.get("Location", "")


def page_text(response: requests.Response) -> str:
    return html.unescape(response.text)
