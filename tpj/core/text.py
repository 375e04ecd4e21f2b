"""Text normalisation shared by every search: accent-, case- and punctuation-insensitive."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’`_.,;:/()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize(text: str) -> str:
    """Return `text` lower-cased, without accents, with "st"/"ste" spelled out.

    >>> normalize("St-Étienne-du-Rouvray")
    'saint etienne du rouvray'
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    words = [w for w in _SEPARATORS.split(ascii_text) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)
