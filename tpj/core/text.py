"""Text normalisation shared by every search: accent-, case- and punctuation-insensitive."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’`_.,;:/()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


class _FoldedCharacters(dict):
    """Character code -> the character lower-cased, decomposed, without combining marks.

    Filled on first sight of each character, so that `str.translate` folds a text at C
    speed (imports normalise millions of names)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).lower())
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe").replace("æ", "ae")
        self[code] = folded
        return folded


_FOLDED = _FoldedCharacters()


def normalize(text: str) -> str:
    """Return `text` lower-cased, without accents, with "st"/"ste" spelled out.

    >>> normalize("St-Étienne-du-Rouvray")
    'saint etienne du rouvray'
    """
    folded = (text or "").translate(_FOLDED)
    words = [w for w in _SEPARATORS.split(folded) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)
