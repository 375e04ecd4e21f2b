"""Evidence files of eligibility situations: what is accepted, and what a kept file carries."""

from django.core.files.uploadedfile import UploadedFile

from tpj.core.uploads import JPEG, PDF, PNG, check_upload

from ..models import Entry

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def validate_evidence(upload: UploadedFile) -> str:
    """Return the content type of an acceptable evidence file, else raise a French error."""
    return check_upload(
        upload,
        accepted={PDF, PNG, JPEG},
        max_bytes=MAX_EVIDENCE_BYTES,
        bad_type="Le fichier « {name} » n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, "
        "pas seulement son extension).",
    )


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
