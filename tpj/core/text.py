"""Text rules shared by every app: the search normalisation (accent-, case- and
punctuation-insensitive) and the control characters no input may carry (`clean`)."""

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


# --- Control characters (issue 13 §4) -------------------------------------------------------
#
# THE rule for every text that enters the site (forms, query strings, API bodies, imports,
# uploaded files' names): no control character. C0 controls except tab, line feed and carriage
# return; DEL; C1 controls (U+0080–U+009F); lone surrogates (which UTF-8, hence PostgreSQL and
# SQLite's driver, cannot encode). NUL is the worst of them: PostgreSQL refuses it in any text.
# Tab and line breaks are text where a text may span lines; a single-line text gets a space.

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")
_PARAGRAPH_BREAKS = re.compile("[\u2028\u2029]")


def clean(text: str, *, multiline: bool = True) -> str:
    """`text` without control characters; for a single-line text, tabs and line breaks
    (U+2028/U+2029 included) become one space.

    >>> clean("Crèche\\x00 des\\x1b[31m Lutins\\x85")
    'Crèche des[31m Lutins'
    >>> clean("Crèche\\r\\ndes Lutins", multiline=False)
    'Crèche des Lutins'
    """
    if not isinstance(text, str):
        return text
    text = CONTROL_CHARACTERS.sub("", text)
    if multiline:
        return _PARAGRAPH_BREAKS.sub("\n", text)
    return LINE_BREAKS.sub(" ", text)


def first_control(text: str) -> str | None:
    """The first control character of `text` (see CONTROL_CHARACTERS), or None."""
    match = CONTROL_CHARACTERS.search(text) if isinstance(text, str) else None
    return match.group() if match else None


def control_code(char: str) -> str:
    """'U+001B' for ESC: how a message names an invisible character."""
    return f"U+{ord(char):04X}"


def control_message(char: str, subject: str = "Ce texte", remedy: str = "retirez-le") -> str:
    """The French sentence that refuses a text containing `char`.

    >>> control_message("\x1b", "Le champ « nom »")
    'Le champ « nom » contient un caractère de contrôle invisible (U+001B) : retirez-le.'
    """
    return f"{subject} contient un caractère de contrôle invisible ({control_code(char)}) : {remedy}."


def french_count(number: int) -> str:
    """A whole number as French writes it in a sentence: thousands separated by a narrow space ("100 000")."""
    return f"{number:,}".replace(",", "\u202f")


def french_plural(count: int, singular: str = "", plural: str = "s") -> str:
    """The form that `count` takes in French: the singular for 0 and 1 (« 0 fiche créée »),
    unlike English and Django's `pluralize`."""
    return singular if abs(count or 0) < 2 else plural
