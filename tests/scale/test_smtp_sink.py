"""The scale check counts e-mails on its SMTP sink: every message Django's SMTP backend hands
over is recorded once, with the subject as written and its recipients, so a duplicate shows."""

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from tpj.core.smtp_sink import SmtpSink


def test_every_message_handed_over_is_recorded_once_with_its_subject_and_id(tmp_path):
    sink = SmtpSink(tmp_path / "sink.jsonl").start()
    try:
        backend = EmailBackend(host=sink.host, port=sink.port, use_tls=False, timeout=10)
        first = EmailMessage(
            "Décision de modération n° 1", "Corps accentué : é, à, ç.\n.ligne qui commence par un point", to=["a@example.org"]
        )
        second = EmailMessage("Décision de modération n° 2", "Deuxième", to=["b@example.org", "c@example.org"])
        assert backend.send_messages([first, second]) == 2
        assert backend.send_messages([first]) == 1  # the same message handed over again: a duplicate
    finally:
        sink.stop()

    received = sink.messages()
    assert [m["subject"] for m in received] == [
        "Décision de modération n° 1",
        "Décision de modération n° 2",
        "Décision de modération n° 1",
    ]
    assert received[1]["to"] == ["b@example.org", "c@example.org"]
    # Django draws a new Message-ID at each hand-over: the subject is what shows a duplicate.
    assert all(m["message_id"].startswith("<") for m in received)
