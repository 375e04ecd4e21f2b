"""Uploaded files checked by their content, never by their name or the browser's content type.

One sniffer for every upload: a renamed executable or archive is refused whatever its extension.
The name an upload arrives with is metadata the site keeps and shows (pièce jointe, justificatif,
Content-Disposition of its download): `check_upload` gives every checked file a safe name
(`safe_file_name`: no control character, no folder, no leading dot).

Every upload of the platform goes through `check_upload` (type by content, size limit, accepted
list); every stored file is served by `serve_upload`, with the type its content has.
"""

import re
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from .text import clean

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
CSV = "text/csv"
_MAGIC = {PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff"}
# A CSV is text: none of these binary formats (executables, archives, office files, images)…
_BINARY_MAGIC = (b"MZ", b"\x7fELF", b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0", b"GIF8")
# …no more than a few control characters (a stray one in a cell is refused with its row by the
# import, the file's other rows imported; the CSV reader drops NUL)…
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_STRAY_CONTROLS = 8
# …and no markup (an HTML or SVG page renamed .csv).
_MARKUP = re.compile(rb"^(\xef\xbb\xbf)?\s*<", re.IGNORECASE)
TEXT_HEAD_BYTES = 4096
# Served inline (the browser shows them); anything else is a download.
INLINE_TYPES = frozenset({PDF, PNG, JPEG})
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
    """PDF, PNG, JPEG or plain text (CSV) recognised by their content; "" for anything else.

    `upload` is a binary file with `seek`/`read` and `size` (an uploaded or stored file); it is
    left at its start."""
    upload.seek(0)
    head = upload.read(PDF_HEAD_BYTES)
    content_type = next((kind for kind, magic in _MAGIC.items() if head.startswith(magic)), "")
    if not content_type and PDF_HEADER in head:
        upload.seek(max(upload.size - PDF_TAIL_BYTES, 0))
        content_type = PDF if PDF_END in upload.read() else ""
    elif not content_type:
        upload.seek(0)
        content_type = CSV if _is_text(upload.read(TEXT_HEAD_BYTES)) else ""
    upload.seek(0)
    return content_type


def _is_text(head: bytes) -> bool:
    """Plain text (a CSV as spreadsheets write it): no binary signature, hardly any control
    character, no markup; UTF-8 or any single-byte encoding."""
    return bool(head.strip()) and not (
        head.startswith(_BINARY_MAGIC) or len(_CONTROL.findall(head)) > MAX_STRAY_CONTROLS or _MARKUP.match(head)
    )


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
    # An operator may lower every limit at once (settings.UPLOAD_MAX_BYTES), never raise one.
    max_bytes = min(max_bytes, getattr(settings, "UPLOAD_MAX_BYTES", None) or max_bytes)
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


def serve_upload(stored, *, filename: str, content_type: str = "", audit=None):
    """A stored upload as a response: the type its content has (`content_type` when it was
    kept at upload, else sniffed now with the same sniffer), never guessed from its name;
    `nosniff`, no script (sandbox), a download unless it is a PDF or an image; 404 when the
    file is missing. `audit()` is called once the file is open (e.g. to log the access)."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    content_type = content_type or sniff_content_type(handle) or "application/octet-stream"
    if audit:
        audit()
    response = FileResponse(handle, content_type=content_type, as_attachment=content_type not in INLINE_TYPES, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
