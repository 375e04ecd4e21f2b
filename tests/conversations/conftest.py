"""A submitted application (its call's managers, its applicant) and a submitted registry
entry (its member, its moderator), each ready for a conversation; uploads in a temporary
folder."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.calls.factories import applicant, make_call, manager, submitted_application
from tests.factories import user_with_role
from tests.registry.factories import PDF, EntryFactory
from tpj.accounts.models import Role
from tpj.registry.models import State


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class ApplicationFile:
    app: object
    manager: object  # manages the call (ARS of the région)
    co_manager: object  # the DREETS of a joint call
    carrier: object  # created the application
    colleague: object  # another member of the carrier organisation


@pytest.fixture
def application_file(db):
    call = make_call()
    carrier = applicant()
    app = submitted_application(call, carrier)
    colleague = applicant(organisation=carrier.organisation)
    return ApplicationFile(app, call.manager, call.co_manager, carrier, colleague)


@dataclass
class EntryFile:
    entry: object
    moderator: object
    member: object


@pytest.fixture
def entry_file(db):
    member = applicant()
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member])
    moderator = user_with_role(Role.MODERATOR, departements=[entry.departement_id])
    return EntryFile(entry, moderator, member)


@pytest.fixture
def other_region_manager(db):
    return manager("ARS", region="84")


def pdf(name="compte-rendu.pdf", size=None):
    content = PDF if size is None else PDF[:-6] + b" " * (size - len(PDF)) + b"%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def executable(name="devis.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
