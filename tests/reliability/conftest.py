import pytest

from .roles import make_cast


@pytest.fixture
def cast(db):
    """One user per role, scoped to Ille-et-Vilaine / Bretagne."""
    return make_cast()
