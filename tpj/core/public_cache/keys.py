"""What identifies a cached public read: the scope's version, the path, the normalised
query and the variant (encoding, htmx fragment, HTML or not)."""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

# Parameters that never change a public page or answer: campaign and click trackers, and
# jQuery's cache-buster. They are dropped from the key and from the query the view sees.
IGNORED_PREFIXES = ("utm_", "mtm_", "pk_")
IGNORED_NAMES = frozenset({"fbclid", "gclid", "msclkid", "_"})


def normalised_query(params: QueryDict) -> str:
    """The query sorted by name then value, without empty values nor trackers.

    The view is then given this query instead of the one sent (`PublicCacheMiddleware`),
    so that one key always stands for one rendering: pagination links and permalinks are
    drawn from the same parameters whatever order the visitor sent them in.
    """
    pairs = [
        (name, value)
        for name, values in params.lists()
        if not name.startswith(IGNORED_PREFIXES) and name not in IGNORED_NAMES
        for value in values
        if value != ""
    ]
    return urlencode(sorted(pairs))


@dataclass(frozen=True)
class Key:
    cache_key: str
    etag: str


def build(scope: str, version: int, path: str, query: str, variant: str) -> Key:
    """The cache key and the ETag of one variant of one public read at one version.

    The ETag is derived from the key (no hashing of the body): same version, same path,
    query and variant, same bytes.
    """
    digest = hashlib.sha256(f"{path}?{query}|{variant}".encode()).hexdigest()[:32]
    return Key(cache_key=f"public:{scope}:{version}:{digest}", etag=f'"{version:x}-{digest[:20]}"')
