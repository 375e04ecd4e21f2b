"""How the workspace words ages, deadlines and amounts."""

import datetime
from decimal import Decimal

from tpj.workspace import text

NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def test_ages_take_the_french_singular_up_to_one():
    assert text.age(NOW - datetime.timedelta(hours=5), NOW) == "depuis moins d'un jour"
    assert text.age(NOW - datetime.timedelta(days=1, hours=1), NOW) == "depuis 1 jour"
    assert text.age(NOW - datetime.timedelta(days=9), NOW) == "depuis 9 jours"
    assert text.ago(NOW - datetime.timedelta(hours=5), NOW) == "aujourd'hui"
    assert text.ago(NOW - datetime.timedelta(days=2), NOW) == "il y a 2 jours"


def test_deadlines_say_how_far_or_how_late():
    assert text.deadline(TODAY + datetime.timedelta(days=12), TODAY) == "avant le 15/12/2026 (dans 12 jours)"
    assert text.deadline(TODAY + datetime.timedelta(days=1), TODAY) == "avant le 04/12/2026 (demain)"
    assert text.deadline(TODAY, TODAY) == "avant le 03/12/2026 (aujourd'hui)"
    assert text.deadline(TODAY - datetime.timedelta(days=1), TODAY) == "échéance du 02/12/2026 dépassée de 1 jour"


def test_amounts_in_french_without_needless_cents():
    assert text.amount(Decimal("160000.00")) == "160\u202f000\u202f€"
    assert text.amount(Decimal("1234.5")) == "1\u202f234,50\u202f€"
    assert text.amount(None) == "0\u202f€"
