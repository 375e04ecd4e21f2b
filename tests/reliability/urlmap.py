"""Every URL of the site, from Django's resolver: (name, route template, parameter names)."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name ("core:home"), or the route itself when unnamed
    template: str  # "/annuaire/fiche/<int:pk>/"
    params: tuple[str, ...]

    def path_from(self, kwargs: dict) -> str:
        return self.path(**kwargs)

    def path(self, **kwargs) -> str:
        def substitute(match):
            return str(kwargs[match.group("name")])

        return _PARAM.sub(substitute, self.template)


def _route_text(pattern) -> str:
    text = str(pattern.pattern)
    if text.startswith("^"):  # regex patterns (routers): turn into a readable template
        text = text.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
    return text


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, prefix + _route_text(pattern), ns)
        elif isinstance(pattern, URLPattern):
            template = "/" + prefix + _route_text(pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else template
            params = tuple(m.group("name") for m in _PARAM.finditer(template))
            yield Route(name=name, template=template, params=params)


def site_routes() -> list[Route]:
    """All routes, deduplicated (format-suffix variants and duplicates collapse)."""
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if route.template in seen or "<format>" in route.template or "(?P<format>" in route.template:
            continue
        seen.add(route.template)
        routes.append(route)
    return routes
