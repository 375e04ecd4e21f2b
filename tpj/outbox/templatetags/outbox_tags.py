from django import template

from tpj.core.text import french_plural

register = template.Library()


@register.inclusion_tag("outbox/_failures.html", takes_context=True)
def outbox_failures(context, failures, action: str, *, describe_object: bool = False):
    """The failed e-mails of a staff page: a DSFR error alert with their count, and a table of
    them with a « Renvoyer » button each (POST `resend`=<id> to `action`, with CSRF)."""
    n = len(failures)
    return {
        "failures": failures,
        "action": action,
        "describe_object": describe_object,
        "csrf_token": context.get("csrf_token"),
        "title": french_plural(n, "1 courriel n'a pas pu être envoyé", f"{n} courriels n'ont pas pu être envoyés"),
        "content": french_plural(
            n,
            "Il a été retenté automatiquement, sans succès : le destinataire ne l'a pas reçu et rien n'est "
            "enregistré comme notifié. Suivez la consigne de la colonne « Erreur », puis renvoyez-le.",
            "Ils ont été retentés automatiquement, sans succès : les destinataires ne les ont pas reçus et rien "
            "n'est enregistré comme notifié. Suivez la consigne de la colonne « Erreur », puis renvoyez-les.",
        ),
    }
