"""The data of django-dsfr's breadcrumb, built where a template knows the page's parents."""

from django import template

register = template.Library()


@register.simple_tag
def breadcrumb_data(current, *parents):
    """Return the dict ``{% dsfr_breadcrumb %}`` takes: the current page's title, after its parents.

    ``parents`` alternate a URL and a title, from the top down (after "Accueil", which
    django-dsfr always shows first); a parent without a URL is left out, so that a
    template can pass an optional one.
    """
    links = [{"url": url, "title": title} for url, title in zip(parents[::2], parents[1::2], strict=True) if url]
    return {"links": links, "current": current}
