"""Reading the births (parturientes) CSV: encodings, separators and every refusal in French."""

import pytest

from tpj.core.csv_reader import decode
from tpj.valorisation.apportionment import BirthsTableError, parse_births_csv

REGIONS = {"53": "Bretagne", "76": "Occitanie", "93": "Provence-Alpes-Côte d'Azur", "06": "Mayotte"}


def csv_text(rows, header="region;naissances"):
    return "\n".join([header, *rows]) + "\n"


def errors_of(text):
    with pytest.raises(BirthsTableError) as caught:
        parse_births_csv(text, REGIONS)
    return caught.value.errors


def test_codes_names_and_thousand_separators_are_read():
    text = csv_text(["53;30 500", "Occitanie;52000", "provence alpes cote d'azur;48\u202f000", "6;9 000"])
    assert parse_births_csv(text, REGIONS) == {"53": 30500, "76": 52000, "93": 48000, "06": 9000}


def test_comma_separator_and_parturientes_header():
    text = csv_text(["53,1", "76,2", "93,3", "06,4"], header="Code région,Parturientes")
    assert parse_births_csv(text, REGIONS) == {"53": 1, "76": 2, "93": 3, "06": 4}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252"])
def test_utf8_and_latin1_files_are_decoded(encoding):
    raw = csv_text(["Bretagne;1", "Occitanie;2", "Provence-Alpes-Côte d'Azur;3", "Mayotte;4"], header="Région;Naissances").encode(
        encoding
    )
    assert parse_births_csv(decode(raw), REGIONS)["93"] == 3


def test_missing_region_is_named():
    errors = errors_of(csv_text(["53;1", "76;2", "93;3"]))
    assert errors == ["Région(s) manquante(s) : Mayotte. Le tableau doit compter une ligne par région."]


def test_duplicated_region_names_both_lines():
    errors = errors_of(csv_text(["53;1", "76;2", "93;3", "06;4", "Bretagne;5"]))
    assert errors == ["Ligne 6 : la région Bretagne figure déjà ligne 2."]


def test_unknown_region():
    errors = errors_of(csv_text(["53;1", "76;2", "93;3", "06;4", "Atlantide;5"]))
    assert errors[0].startswith("Ligne 6 : région inconnue « Atlantide »")


def test_negative_and_non_numeric_counts_are_reported_per_line():
    errors = errors_of(csv_text(["53;-10", "76;beaucoup", "93;12,5", "06;4"]))
    assert errors == [
        "Ligne 2 (Bretagne) : le nombre de naissances ne peut pas être négatif (-10).",
        "Ligne 3 (Occitanie) : « beaucoup » n'est pas un nombre entier de naissances.",
        "Ligne 4 (Provence-Alpes-Côte d'Azur) : « 12,5 » n'est pas un nombre entier de naissances.",
    ]


def test_absurd_count_is_refused():
    errors = errors_of(csv_text(["53;1", "76;2", "93;3", "06;99999999"]))
    assert "plafond de vraisemblance" in errors[0]


def test_all_zero_is_refused():
    assert errors_of(csv_text(["53;0", "76;0", "93;0", "06;0"])) == [
        "Le total des naissances est nul : impossible de répartir les postes."
    ]


def test_unrecognised_header_and_empty_file():
    assert "En-tête non reconnu" in errors_of("foo;bar\n53;1\n")[0]
    assert errors_of("") == ["Le fichier est vide."]
