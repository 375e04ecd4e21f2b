"""Form fields shared by every app."""

from django import forms
from django.core.exceptions import ValidationError

# The range of the database's integer keys (BigAutoField): beyond it SQLite raises
# OverflowError from inside the query instead of finding nothing.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids outside the database's range with its own French message
    instead of letting the query fail (a 500 on SQLite)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: Django's own check refuses it
            if not ID_MIN <= number <= ID_MAX:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
