"""The one upload sniffer: PDF (header and end marker), PNG and JPEG by content, French refusals."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tpj.core.uploads import JPEG, PDF, PNG, check_upload, sniff_content_type

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(content: bytes, name="piece.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, PDF),
        (b"\n\n" + PDF_BYTES, PDF),  # a little junk before the header: readers accept it
        (PDF_BYTES + b"0" * 5000 + b"%%EOF\r\n", PDF),
        (b"%PDF-1.4 truncated, no end marker", ""),
        (b"%PDF-1.4" + b"0" * 5000 + b"%%EOF" + b"0" * 5000, ""),  # marker far from the end
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), PNG),
        (b"\xff\xd8\xff\xe0" + bytes(100), JPEG),
        (b"MZ\x90\x00" + bytes(100), ""),
        (b"PK\x03\x04 a zip (docx) renamed", ""),
        (b"", ""),
    ],
)
def test_content_types_are_recognised_by_content(content, expected):
    file = upload(content)
    file.read(3)
    assert sniff_content_type(file) == expected
    assert file.tell() == 0


def test_accepted_type_is_returned():
    assert check_upload(upload(PDF_BYTES), accepted={PDF, PNG}, max_bytes=1024) == PDF


def test_default_messages_are_french_with_codes():
    with pytest.raises(ValidationError) as error:
        check_upload(upload(PDF_BYTES + b"0" * 2 * 1024 * 1024, "gros.pdf"), accepted={PDF}, max_bytes=1024 * 1024)
    assert error.value.code == "too_large"
    assert error.value.messages == ["Le fichier « gros.pdf » pèse 2.0 Mo : la limite est de 1 Mo."]
    with pytest.raises(ValidationError) as error:
        check_upload(upload(b"\x89PNG\r\n\x1a\n", "photo.png"), accepted={PDF}, max_bytes=1024)
    assert error.value.code == "bad_type"
    assert "« photo.png » n'a pas un format accepté" in error.value.messages[0]


def test_messages_can_be_given_by_the_caller():
    with pytest.raises(ValidationError) as error:
        check_upload(
            upload(b"GIF89a", "cahier.pdf"),
            accepted={PDF},
            max_bytes=10 * 1024 * 1024,
            bad_type="Le cahier doit être un PDF : « {name} » n'en est pas un (limite {max_mb} Mo).",
        )
    assert error.value.messages == ["Le cahier doit être un PDF : « cahier.pdf » n'en est pas un (limite 10 Mo)."]
