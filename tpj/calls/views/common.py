"""What every page of the calls module shares: service errors shown on forms and as messages, the call and application lookups."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from ..models import Application, Call


def add_errors(form, error: ValidationError):
    """Attach a service's ValidationError to the form: per field when it names one, otherwise globally."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        for message in error.messages:
            form.add_error(None, message)


def flash_error(request, error: ValidationError):
    for message in sum(error.message_dict.values(), []) if hasattr(error, "error_dict") else error.messages:
        messages.error(request, message)


class CallMixin:
    @cached_property
    def call(self):
        return get_object_or_404(Call.objects.select_related("region", "campaign", "required_axis"), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.call


class ApplicationMixin:
    @cached_property
    def application(self):
        return get_object_or_404(
            Application.objects.select_related("call__region", "call__campaign", "organisation", "created_by"),
            pk=self.kwargs["pk"],
        )

    def get_policy_object(self):
        return self.application
