"""Uploaded files checked by their content, never by their name or the browser's content type.

One sniffer for every upload: a renamed executable or archive is refused whatever its extension.
The name an upload arrives with is metadata the site keeps and shows (pièce jointe, justificatif,
Content-Disposition of its download): `check_upload` gives every checked file a safe name
(`safe_file_name`: no control character, no folder, no leading dot).
"""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .text import clean

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
_MAGIC = {PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff"}
# PDF readers accept a header preceded by a few bytes of junk (within the first KiB)…
PDF_HEADER, PDF_HEAD_BYTES = b"%PDF-", 1024
# …and a file ends with its "%%EOF" marker, maybe followed by a few bytes: without it the file
# is truncated, or something else with a PDF header.
PDF_END, PDF_TAIL_BYTES = b"%%EOF", 2048

DEFAULT_NAME = "fichier"
MAX_NAME_LENGTH = 200  # the longest name a model keeps (EntrySituation.evidence_name)

TOO_LARGE = "Le fichier « {name} » pèse {size_mb} Mo : la limite est de {max_mb} Mo."
BAD_TYPE = "Le fichier « {name} » n'a pas un format accepté (son contenu a été vérifié, pas seulement son extension)."


def safe_file_name(name: str | None, default: str = DEFAULT_NAME) -> str:
    """The last component of `name`, one line without control characters, no leading dots
    ("..", ".htaccess"), at most MAX_NAME_LENGTH characters with its extension kept; `default`
    when nothing is left.

    >>> safe_file_name("../../etc/justificatif\\x00\\x1b[31m.pdf")
    'justificatif[31m.pdf'
    """
    name = clean(str(name or ""), multiline=False).replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot and stem else ""
        name = name[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension if extension else name[:MAX_NAME_LENGTH]
    return name or default


def sniff_content_type(upload) -> str:
    """PDF, PNG or JPEG recognised by their content; "" for anything else.

    `upload` is a binary file with `seek`/`read` and `size` (an uploaded or stored file); it is
    left at its start."""
    upload.seek(0)
    head = upload.read(PDF_HEAD_BYTES)
    content_type = next((kind for kind, magic in _MAGIC.items() if head.startswith(magic)), "")
    if not content_type and PDF_HEADER in head:
        upload.seek(max(upload.size - PDF_TAIL_BYTES, 0))
        content_type = PDF if PDF_END in upload.read() else ""
    upload.seek(0)
    return content_type


def check_upload(
    upload, *, accepted: Collection[str], max_bytes: int, too_large: str = TOO_LARGE, bad_type: str = BAD_TYPE
) -> str:
    """Return the content type of `upload` (one of `accepted`), else raise a French ValidationError.

    The size is checked first (code "too_large"), then the content (code "bad_type"). The
    messages are format strings that may use `{name}` (the file's name), `{size_mb}` (its size,
    one decimal) and `{max_mb}` (the limit, in whole megabytes when it is one).

    An uploaded file (UploadedFile) is renamed first with `safe_file_name`, for whoever keeps
    its name; a stored file keeps its name (its path in the storage), shown safe in messages.
    """
    name = safe_file_name(getattr(upload, "name", None))
    if isinstance(upload, UploadedFile):
        upload.name = name
    details = {
        "name": name,
        "size_mb": f"{upload.size / 1024 / 1024:.1f}",
        "max_mb": f"{max_bytes / 1024 / 1024:g}",
    }
    if upload.size > max_bytes:
        raise ValidationError(too_large.format(**details), code="too_large")
    content_type = sniff_content_type(upload)
    if content_type not in accepted:
        raise ValidationError(bad_type.format(**details), code="bad_type")
    return content_type
