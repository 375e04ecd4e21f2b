"""Evidence files of eligibility situations: what is accepted, and what a kept file carries."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from ..models import Entry

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def sniff_content_type(head: bytes) -> str:
    """PDF, PNG or JPEG recognised by their magic bytes; "" for anything else."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return ""


def validate_evidence(upload: UploadedFile) -> str:
    """Return the content type of an acceptable evidence file, else raise a French error."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"Le fichier « {upload.name} » pèse {upload.size / 1024 / 1024:.1f} Mo : la limite est de 10 Mo.", code="too_large"
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if not content_type:
        raise ValidationError(
            f"Le fichier « {upload.name} » n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, "
            "pas seulement son extension).",
            code="bad_type",
        )
    return content_type


def _existing_evidence_meta(entry: Entry) -> dict:
    """Stored file name -> (content type, original name) of the evidence files of `entry`."""
    return {s.evidence.name: (s.evidence_content_type, s.evidence_name) for s in entry.situations.all() if s.evidence}


def keep_evidence_meta(entry: Entry, situations: list | None) -> None:
    """Carry the stored type/name of evidence files kept from `entry` into `situations`
    (the situations an edit sends; `None` leaves them unchanged)."""
    if situations is None:
        return
    meta = _existing_evidence_meta(entry)
    for item in situations:
        evidence = item.get("evidence")
        name = getattr(evidence, "name", evidence) if evidence and not isinstance(evidence, UploadedFile) else None
        if name in meta:
            item.setdefault("evidence_content_type", meta[name][0])
            item.setdefault("evidence_name", meta[name][1])
