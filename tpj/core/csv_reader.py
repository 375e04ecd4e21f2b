"""Reading the CSV files people upload, as spreadsheets export them.

- encoding: UTF-8 (with or without BOM) when the whole file decodes as such, else the Latin-1
  family (Windows-1252, what French spreadsheets write by default);
- delimiter: « ; », « , » or tab, the one the header line uses most (« ; » when in doubt);
- line endings: Windows, Unix or old Mac; NUL characters (binary junk, which PostgreSQL refuses
  in a text) are dropped.
"""

import codecs
import csv
import io
import re

UTF8, LATIN1 = "utf-8-sig", "cp1252"
DELIMITERS = (";", ",", "\t")  # on a tie, the first wins
SAMPLE_CHARS = 4096  # enough for any header line
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r'"[^"]*"')


def detect_encoding(handle) -> str:
    """`UTF8` if the whole binary file decodes as UTF-8, else `LATIN1`. Reads the file by blocks
    (imports run to hundreds of megabytes) and leaves it at its start."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    handle.seek(0)
    try:
        while block := handle.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
        return UTF8
    except UnicodeDecodeError:
        return LATIN1
    finally:
        handle.seek(0)


def decode(raw: bytes) -> str:
    """The text of a small file held in memory: UTF-8 first, then Windows-1252, then Latin-1
    (which decodes any byte)."""
    for encoding in (UTF8, LATIN1):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def detect_delimiter(sample: str) -> str:
    """The delimiter the first line of `sample` uses most, quoted text left aside."""
    header = _QUOTED.sub("", _LINE_BREAK.split(sample, maxsplit=1)[0])
    best = max(DELIMITERS, key=header.count)
    return best if header.count(best) else DELIMITERS[0]


def reader(text: str):
    """A `csv.reader` over a decoded text (line endings normalised, NUL characters dropped)."""
    cleaned = _LINE_BREAK.sub("\n", text).replace("\x00", "")
    return csv.reader(io.StringIO(cleaned), delimiter=detect_delimiter(cleaned))


def dict_reader(handle, encoding: str) -> tuple[csv.DictReader, io.TextIOWrapper]:
    """A `csv.DictReader` over a binary file, read as it goes (NUL characters dropped).

    Undecodable bytes become "�" rather than an error: a binary file is then refused by its
    columns, not by a crash. The text wrapper is returned too, for the caller to `detach()` it
    when `handle` must stay open (closing the wrapper would close the file)."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="", errors="replace")
    delimiter = detect_delimiter(text.read(SAMPLE_CHARS))
    text.seek(0)
    return csv.DictReader((line.replace("\x00", "") for line in text), delimiter=delimiter), text
