"""The training offer on the registry's entry pages and the registry on the offer pages: the
pages load these tags by name, so neither module imports the other."""

from django import template

from ..training_links import entry_offers, organisation_entry

register = template.Library()


@register.inclusion_tag("training/_entry_offers.html", takes_context=True)
def entry_training_offers(context, entry):
    """The offers of the organisation sharing `entry`'s SIRET, for an entry that declares
    priority 9 (nothing read, nothing shown for the others)."""
    return {"training_offers": entry_offers(entry), "is_member": context.get("is_member", False)}


@register.inclusion_tag("training/_offer_entry_link.html")
def organisation_entry_link(organisation):
    """« Voir la fiche de l'organisme dans l'annuaire », when the organisation has a published entry."""
    return {"registry_entry": organisation_entry(organisation)}
