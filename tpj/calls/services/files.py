"""Uploaded files of the calls module: the cahier des charges must be a PDF."""

from tpj.core.uploads import PDF, check_upload

PDF_MAX_BYTES = 10 * 1024 * 1024


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
