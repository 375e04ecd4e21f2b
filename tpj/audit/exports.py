from django.http import StreamingHttpResponse

from tpj.core.exports import csv_response

# What a person reads, in French: the action's label (its code in a column of its own, for
# sorting and filtering), the states' labels and the kind of object. "résultat": "refusée"
# for a refused attempt (action "….refused", nothing changed, the motif says why).
HEADER = [
    "date",
    "auteur",
    "type d'objet",
    "identifiant",
    "objet",
    "action",
    "code de l'action",
    "état avant",
    "état après",
    "motif",
    "avant",
    "après",
    "résultat",
]


def audit_rows(events):
    """The CSV rows of `events` (a queryset), read in chunks."""
    return (
        [
            e.created_at.isoformat(),
            e.actor_label,
            e.object_kind,
            e.object_id,
            e.object_repr,
            e.action_label,
            e.action,
            e.from_state_label,
            e.to_state_label,
            e.reason,
            e.before,
            e.after,
            e.outcome_label,
        ]
        for e in events.select_related("content_type").iterator(chunk_size=2000)
    )


def audit_csv_response(events, filename="journal-audit.csv") -> StreamingHttpResponse:
    """Stream `events` as a CSV file (UTF-8 with BOM so that spreadsheets read accents)."""
    return csv_response(filename, HEADER, audit_rows(events))
