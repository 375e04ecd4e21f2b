"""How a URL conf declares a view's GET a public read, shared in the public cache."""


def public_read(scope: str):
    """Mark a view (the callable of a URL pattern) as a public read of `scope`.

    Only views whose anonymous answer is the same for every visitor may be marked: the
    public cache then serves it from the cache to visitors without a session, and keys it
    by the scope's content version (`tpj.core.public_cache.versions`).

        path("", public_read(REGISTRY)(DirectoryView.as_view()), name="directory")
    """

    def mark(view):
        view.public_read = scope
        return view

    return mark


def scope_of(view) -> str | None:
    return getattr(view, "public_read", None)
