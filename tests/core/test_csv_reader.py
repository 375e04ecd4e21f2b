"""The one CSV reader: encodings, delimiters, line endings and NUL characters."""

import io

import pytest

from tpj.core import csv_reader

TEXT = "nom;commune\nCrèche « Les Lutins »;Rennes\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", csv_reader.UTF8), ("utf-8-sig", csv_reader.UTF8), ("cp1252", csv_reader.LATIN1), ("latin-1", csv_reader.LATIN1)],
)
def test_encoding_is_detected_on_the_whole_file(encoding, expected):
    handle = io.BytesIO(TEXT.encode(encoding))
    assert csv_reader.detect_encoding(handle) == expected
    assert handle.tell() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_decode_reads_utf8_with_or_without_bom_then_windows_1252(encoding):
    assert csv_reader.decode(TEXT.encode(encoding)) == TEXT


def test_decode_never_fails():
    assert csv_reader.decode(b"\x81\x8d") == "\x81\x8d"  # undefined in Windows-1252: Latin-1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a;b;c", ";"),
        ("a,b,c", ","),
        ("a\tb\tc", "\t"),
        ('"nom, prénom";commune', ";"),  # a quoted comma does not count
        ("seule colonne", ";"),
        ("a;b,c", ";"),  # a tie: « ; » first
        ("a;b\nx,y,z,t", ";"),  # only the header line counts
    ],
)
def test_delimiter_comes_from_the_header_line(header, expected):
    assert csv_reader.detect_delimiter(header) == expected


def test_reader_normalises_line_endings_and_drops_nul():
    rows = list(csv_reader.reader("a,b\r\n1,2\r3,4\x00\n"))
    assert rows == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_dict_reader_streams_a_binary_file():
    handle = io.BytesIO("nom\tcommune\r\nLes Lutins\tRen\x00nes\r\n".encode("cp1252"))
    rows, text = csv_reader.dict_reader(handle, csv_reader.LATIN1)
    assert list(rows) == [{"nom": "Les Lutins", "commune": "Rennes"}]
    text.detach()
    assert not handle.closed
