"""Shared form fields: an id beyond the database's range is a form error, never a 500."""

import pytest
from django.core.exceptions import ValidationError

from tpj.core.form_fields import ModelMultipleChoiceField
from tpj.nomenclatures.models import Axis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [str(10**20), str(-(10**20)), "9223372036854775808"])
def test_an_id_beyond_the_database_range_is_refused_with_a_message(value):
    field = ModelMultipleChoiceField(queryset=Axis.objects.all())
    with pytest.raises(ValidationError) as error:
        field.clean([value])
    assert error.value.code == "invalid_pk_value"
    assert value in error.value.messages[0]


def test_ids_in_range_still_choose_their_objects():
    axis = Axis.objects.order_by("pk").first()
    field = ModelMultipleChoiceField(queryset=Axis.objects.all())
    assert list(field.clean([str(axis.pk)])) == [axis]
    with pytest.raises(ValidationError):
        field.clean(["9223372036854775807"])  # the largest id: in range, but no such axis
