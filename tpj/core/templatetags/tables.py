"""`{% table %}`: every data table of the site, in the DSFR table markup, scrollable with
the keyboard.

    {% load tables %}
    {% table hide_caption=True classes="tpj-table-numbers" %}
      <caption>Enveloppes de l'appel</caption>
      <thead>…</thead><tbody>…</tbody>
    {% endtable %}

On a narrow screen the DSFR scrolls a wide table inside `.fr-table__container`; a region
that scrolls must be reachable with the keyboard (RGAA 7.3, WCAG 2.1.1, axe
`scrollable-region-focusable`), so the container is focusable (`tabindex="0"`) and named
after the table's caption (`role="region"`, `aria-labelledby`), as the DSFR recommends.
The caption is required (RGAA 5.4); `hide_caption` keeps it for screen readers only
(`fr-table--no-caption`).
"""

import itertools

from django import template
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()

_ids = itertools.count(1)


class TableNode(template.Node):
    def __init__(self, kwargs, nodelist):
        self.kwargs, self.nodelist = kwargs, nodelist

    def _next_id(self, context) -> str:
        """Ids unique in the page: counted per request (per process outside a request)."""
        request = context.get("request")
        if request is None:
            return f"tableau-{next(_ids)}"
        if not hasattr(request, "_tpj_table_ids"):
            request._tpj_table_ids = itertools.count(1)
        return f"tableau-{next(request._tpj_table_ids)}"

    def render(self, context):
        options = {name: value.resolve(context) for name, value in self.kwargs.items()}
        table_id = options.get("id") or self._next_id(context)
        rows = self.nodelist.render(context).strip()
        if not rows.startswith("<caption"):
            raise template.TemplateSyntaxError("{% table %} : le tableau commence par sa légende (<caption>).")
        rows = mark_safe(
            rows.replace("<caption", f'<caption id="{table_id}-legende"', 1)
        )  # the rendered template, already escaped
        classes = " ".join(
            filter(None, ["fr-table--no-caption" if options.get("hide_caption") else "", options.get("classes", "")])
        )
        return render_to_string("includes/table.html", {"classes": classes, "table_id": table_id, "rows": rows})


@register.tag("table")
def do_table(parser, token):
    """`{% table [hide_caption=True] [classes="…"] [id="…"] %}<caption>…</caption>…{% endtable %}`."""
    remaining = token.split_contents()[1:]
    kwargs = token_kwargs(remaining, parser)
    if remaining:
        raise template.TemplateSyntaxError(f"{{% table %}} : arguments inconnus {remaining}")
    nodelist = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(kwargs, nodelist)
