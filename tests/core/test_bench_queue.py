"""The queue benchmark's own parts: its SMTP server takes what Django's SMTP backend sends,
and its report says when the import misses its target instead of hiding it."""

from django.core.mail import EmailMessage, get_connection

from tpj.core.bench_queue import render
from tpj.core.smtp_sink import SmtpSink


def test_the_smtp_sink_accepts_what_django_sends():
    with SmtpSink() as sink:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port, timeout=5)
        sent = connection.send_messages(
            [EmailMessage(f"Accusé n° {i}", "Corps du message\n.\nsuite", "a@example.org", ["b@example.org"]) for i in range(3)]
        )
    assert sent == 3
    assert sink.received == 3


def _result(cli_rate, workers_rate):
    summary = {"p50": 1.0, "p95": 2.0, "n": 10}
    return {
        "queue": "SqliteHuey",
        "database": "sqlite",
        "bare": summary,
        "latency": {"steady": summary, "sparse": summary, "idle": {"p50": 1.0, "p95": 1.0, "n": 1}},
        "smtp_bare": 300.0,
        "outbox": [{"workers": 1, "messages": 500, "sent": 500, "rate": 120.0, "end_to_end": 110.0}],
        "smtp_received": 800,
        "import_cli": {"rows": 1000, "created": 1000, "seconds": 0.1, "rate": cli_rate},
        "import_workers": {"rows": 1000, "created": 1000, "seconds": 0.1, "rate": workers_rate, "workers": 2},
        "load": [1.0, 1.0, 1.0],
    }


def test_the_report_says_when_the_import_target_is_missed():
    text = render({"SQLite + file queue": _result(cli_rate=12_000, workers_rate=8_000)}, 1000)
    workers_row = next(line for line in text.splitlines() if line.startswith("| import, through"))
    cli_row = next(line for line in text.splitlines() if line.startswith("| import, command line"))
    assert "**missed**" in workers_row
    assert "8 000" in workers_row and "12 000" in workers_row  # the figure beside its ceiling
    assert "met" in cli_row and "missed" not in cli_row


def test_a_failed_measure_is_reported_and_hides_no_other():
    result = _result(cli_rate=12_000, workers_rate=11_000)
    result["outbox"] = {"error": "RuntimeError: pas de serveur"}
    text = render({"SQLite + file queue": result}, 1000)
    assert "| outbox (messages/s) | failed |" in text
    assert "not measured, outbox: RuntimeError: pas de serveur" in text
    assert "| import, through 2 workers (entries/s) | 11 000 |" in text
