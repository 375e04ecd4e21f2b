import csv

from django.http import StreamingHttpResponse

# "résultat": "refusée" for a refused attempt (action "….refused", nothing changed, the motif says why).
HEADER = [
    "date",
    "auteur",
    "type d'objet",
    "identifiant",
    "objet",
    "action",
    "état avant",
    "état après",
    "motif",
    "avant",
    "après",
    "résultat",
]


class _Echo:
    def write(self, value):
        return value


def audit_csv_response(events, filename="journal-audit.csv") -> StreamingHttpResponse:
    """Stream `events` as a CSV file (UTF-8 with BOM so that spreadsheets read accents)."""
    writer = csv.writer(_Echo(), delimiter=";")

    def rows():
        yield "\ufeff"
        yield writer.writerow(HEADER)
        for e in events.select_related("content_type").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.created_at.isoformat(),
                    e.actor_label,
                    e.content_type.model if e.content_type else "",
                    e.object_id,
                    e.object_repr,
                    e.action,
                    e.from_state,
                    e.to_state,
                    e.reason,
                    "" if e.before is None else e.before,
                    "" if e.after is None else e.after,
                    e.outcome_label,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
