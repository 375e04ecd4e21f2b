"""Uploaded files of the calls module: the cahier des charges must be a PDF."""

from django.core.exceptions import ValidationError

PDF_MAX_BYTES = 10 * 1024 * 1024


def validate_pdf(upload, label="Le cahier des charges"):
    """Refuse anything that is not a PDF by its content (not its name): header and end marker."""
    if upload is None:
        return
    name = getattr(upload, "name", "fichier")
    if upload.size > PDF_MAX_BYTES:
        raise ValidationError(f"{label} dépasse 10 Mo.")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if b"%PDF-" not in head or b"%%EOF" not in tail:
        raise ValidationError(f"{label} doit être un fichier PDF : le contenu de « {name} » n'est pas un PDF.", code="not_pdf")
