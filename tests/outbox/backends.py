"""Mail backends that fail as a real SMTP server does, for EMAIL_BACKEND in tests: like
Django's SMTP backend, they swallow the error when asked to fail silently."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """The server refuses every recipient (smtplib raises SMTPRecipientsRefused)."""

    def send_messages(self, messages):
        recipients = {address: (550, b"5.1.1 Mailbox unavailable") for m in messages for address in m.recipients()}
        if not self.fail_silently:
            raise smtplib.SMTPRecipientsRefused(recipients)
        return 0


class UnreachableBackend(BaseEmailBackend):
    """No server listens (the connection is refused)."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        try:
            self.open()
        except OSError:
            if not self.fail_silently:
                raise
        return 0


class LeakyAuthenticationBackend(BaseEmailBackend):
    """The server refuses the login and echoes the credentials in its answer."""

    def send_messages(self, messages):
        if not self.fail_silently:
            raise smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials for user smtp-user password s3cr3t-smtp")
        return 0


REFUSING = "tests.outbox.backends.RefusingBackend"
UNREACHABLE = "tests.outbox.backends.UnreachableBackend"
LEAKY = "tests.outbox.backends.LeakyAuthenticationBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"
