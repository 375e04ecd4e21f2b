"""Uploaded files of the calls module: the cahier des charges (a PDF) and the attachments of an
application (PDF, PNG or JPEG), both checked by their content with core's sniffer."""

import uuid

from tpj.core.uploads import JPEG, PDF, PNG, check_upload

PDF_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024  # as the registry's evidence files
ATTACHMENT_TYPES = {PDF: "pdf", PNG: "png", JPEG: "jpg"}


def validate_pdf(upload, label="Le cahier des charges"):
    """Refuse anything that is not a PDF by its content (not its name): header and end marker."""
    if upload is None:
        return
    check_upload(
        upload,
        accepted={PDF},
        max_bytes=PDF_MAX_BYTES,
        too_large=f"{label} dépasse {{max_mb}} Mo.",
        bad_type=f"{label} doit être un fichier PDF : le contenu de « {{name}} » n'est pas un PDF.",
    )


def validate_attachment(upload) -> str:
    """Return the content type of an acceptable attachment, else raise a French error."""
    return check_upload(
        upload,
        accepted=set(ATTACHMENT_TYPES),
        max_bytes=ATTACHMENT_MAX_BYTES,
        bad_type="Le fichier « {name} » n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, "
        "pas seulement son extension).",
    )


def attachment_file_name(content_type: str) -> str:
    """The stored name of an attachment: random, with the extension of its content (the name
    the applicant gave stays in the attachment's label)."""
    return f"{uuid.uuid4().hex}.{ATTACHMENT_TYPES[content_type]}"
