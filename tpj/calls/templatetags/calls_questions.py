"""The call's questions and documents with an application's answers, for the pages that show the
file (its page, the jury sheet): `{% answer_sheet app request.user as sheet %}`."""

from django import template

from ..services.questions import answer_sheet as build_answer_sheet

register = template.Library()


@register.simple_tag
def answer_sheet(app, user):
    return build_answer_sheet(app, user)
