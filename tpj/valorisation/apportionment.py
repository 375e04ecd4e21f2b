"""Apportionment of whole posts between régions by the largest-remainder method (Hamilton).

Pure functions, no database: `largest_remainder` computes an allocation and
`parse_births_csv` reads the births (parturientes) table imported by the national team.

The method, as shown to users on the apportionment page (TIE_RULE):

1. each région's exact quota is ``total × births / total births``;
2. each région first receives the whole part of its quota;
3. the posts left over go one by one to the régions with the largest fractional
   remainders;
4. ties between equal remainders are broken by the larger number of births, then by the
   smaller région code (INSEE), so that the result never depends on the order of the
   input rows.

Arithmetic is exact (integers and fractions, never floats): the sum is always exactly
the total. Properties (tested with hypothesis in tests/valorisation/test_apportionment.py):
the allocation sums to the total; it does not depend on input order; when one région's
births grow and the others' stay fixed, that région never loses a post. Hamilton is NOT
"house-monotone": raising the total by one can take a post away from a région (the
"Alabama paradox"); the page warns about it when recomputing for another total.
"""

import csv
from dataclasses import dataclass
from fractions import Fraction

from tpj.core import csv_reader
from tpj.core.text import normalize

TIE_RULE = (
    "Chaque région reçoit d'abord la partie entière de son quota (total × naissances de la région ÷ naissances "
    "totales). Les postes restants sont attribués un par un aux régions dont la partie décimale du quota est la "
    "plus grande. En cas d'égalité : la région qui compte le plus de naissances, puis celle dont le code INSEE "
    "est le plus petit. Le résultat ne dépend donc pas de l'ordre des lignes du fichier."
)
MAX_TOTAL = 10_000  # posts: far above any national measure, refuses typos such as 1000000
MAX_BIRTHS = 1_000_000  # per région: France counts about 700,000 births a year in all


@dataclass(frozen=True)
class Share:
    code: str
    births: int
    quota: Fraction
    whole: int
    seats: int
    # 1-based position in the remainder ranking (who gets the leftover posts first).
    remainder_rank: int

    @property
    def remainder(self) -> Fraction:
        return self.quota - self.whole

    @property
    def got_extra_post(self) -> bool:
        return self.seats > self.whole


class ApportionmentError(ValueError):
    """Raised with a French message when the input cannot be apportioned."""


def largest_remainder(births: dict[str, int], total: int) -> list[Share]:
    """Apportion `total` whole posts between the keys of `births` (région code → births).

    Returns one `Share` per région, sorted by code; seats sum exactly to `total`.
    Raises `ApportionmentError` for a total outside 1..MAX_TOTAL, a negative count or
    no births at all.
    """
    if isinstance(total, bool) or not isinstance(total, int) or not 1 <= total <= MAX_TOTAL:
        raise ApportionmentError(
            f"Le nombre de postes à répartir doit être un entier entre 1 et {MAX_TOTAL:,}.".replace(",", "\u202f")
        )
    if any(isinstance(b, bool) or not isinstance(b, int) or b < 0 for b in births.values()):
        raise ApportionmentError("Les nombres de naissances doivent être des entiers positifs ou nuls.")
    grand_total = sum(births.values())
    if grand_total <= 0:
        raise ApportionmentError("Le total des naissances est nul : impossible de répartir les postes.")
    whole = {code: total * b // grand_total for code, b in births.items()}
    # Remainders as integer numerators over the common denominator `grand_total`: exact comparisons.
    numerators = {code: total * b - whole[code] * grand_total for code, b in births.items()}
    ranking = sorted(births, key=lambda code: (-numerators[code], -births[code], code))
    leftover = total - sum(whole.values())
    extra = set(ranking[:leftover])
    rank = {code: position for position, code in enumerate(ranking, start=1)}
    return [
        Share(
            code=code,
            births=births[code],
            quota=Fraction(total * births[code], grand_total),
            whole=whole[code],
            seats=whole[code] + (1 if code in extra else 0),
            remainder_rank=rank[code],
        )
        for code in sorted(births)
    ]


# --- births CSV ---------------------------------------------------------------------------

REGION_HEADERS = {"region", "code region", "code_region", "code", "reg", "nom region", "libelle region"}
BIRTHS_HEADERS = {"naissances", "parturientes", "nombre de naissances", "nombre de parturientes", "accouchements", "births"}


class BirthsTableError(ValueError):
    """The births file is refused; `errors` lists French messages (one per problem, with line numbers)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _parse_count(text: str) -> int | None:
    """'12 345', '12345', '12\u202f345' → 12345; anything else (decimals, letters) → None."""
    cleaned = "".join(text.split()).replace("\u202f", "").replace("\xa0", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    if not digits.isdigit():
        return None
    return sign * int(digits)


def parse_births_csv(text: str, regions: dict[str, str]) -> dict[str, int]:
    """Read a births table: one row per région, a région column (INSEE code or name) and a count column.

    `regions` maps each région code to its name. Returns {code: births} covering every
    région exactly once, or raises `BirthsTableError` listing every problem found
    (unknown, duplicated or missing région, negative, non-numeric or absurd count).
    """
    if not text.strip():
        raise BirthsTableError(["Le fichier est vide."])
    reader = csv_reader.reader(text)
    try:
        header = [normalize(cell).replace("_", " ") for cell in next(reader, [])]
    except csv.Error:
        raise BirthsTableError(["Ce fichier n'est pas un tableau CSV lisible (fichier binaire ou archive ?)."]) from None
    region_col = next((i for i, h in enumerate(header) if h in REGION_HEADERS or h.replace(" ", "_") in REGION_HEADERS), None)
    births_col = next((i for i, h in enumerate(header) if h in BIRTHS_HEADERS), None)
    if region_col is None or births_col is None:
        raise BirthsTableError(
            [
                "En-tête non reconnu : la première ligne doit nommer une colonne « region » (code INSEE ou nom de la région) "
                "et une colonne « naissances » (ou « parturientes »)."
            ]
        )
    by_key = {code: code for code in regions}
    by_key.update({normalize(name): code for code, name in regions.items()})
    by_key.update({code.lstrip("0"): code for code in regions if code.lstrip("0")})
    errors: list[str] = []
    result: dict[str, int] = {}
    seen_line: dict[str, int] = {}
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(region_col, births_col):
            errors.append(f"Ligne {line_number} : colonnes manquantes.")
            continue
        label, raw_count = row[region_col].strip(), row[births_col].strip()
        code = by_key.get(label) or by_key.get(normalize(label))
        if code is None:
            errors.append(
                f"Ligne {line_number} : région inconnue « {label} » (attendu : code INSEE ou nom d'une des {len(regions)} régions)."
            )
            continue
        if code in seen_line:
            errors.append(f"Ligne {line_number} : la région {regions[code]} figure déjà ligne {seen_line[code]}.")
            continue
        seen_line[code] = line_number
        count = _parse_count(raw_count)
        if count is None:
            errors.append(f"Ligne {line_number} ({regions[code]}) : « {raw_count} » n'est pas un nombre entier de naissances.")
        elif count < 0:
            errors.append(f"Ligne {line_number} ({regions[code]}) : le nombre de naissances ne peut pas être négatif ({count}).")
        elif count > MAX_BIRTHS:
            errors.append(
                f"Ligne {line_number} ({regions[code]}) : {count} naissances, c'est plus que le plafond de vraisemblance "
                f"({MAX_BIRTHS} par région). Vérifiez le fichier."
            )
        else:
            result[code] = count
    missing = [regions[code] for code in sorted(regions, key=lambda c: regions[c]) if code not in seen_line]
    if missing:
        errors.append(f"Région(s) manquante(s) : {', '.join(missing)}. Le tableau doit compter une ligne par région.")
    if not errors and sum(result.values()) == 0:
        errors.append("Le total des naissances est nul : impossible de répartir les postes.")
    if errors:
        raise BirthsTableError(errors)
    return result
