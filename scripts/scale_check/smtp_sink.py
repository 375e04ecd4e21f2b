"""A minimal SMTP receiver that records every message it accepts (stdlib only).

It speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT), one thread per connection, and appends one JSON line per accepted message
(Message-ID, Subject, recipients) to a file, so that "each e-mail sent exactly once" can be
counted after the run, whoever sent it.
"""

import json
import socketserver
import threading
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from pathlib import Path


def _header(message, name: str) -> str:
    value = message.get(name, "")
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a malformed encoded word: keep it raw
        return str(value)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 scale-check SMTP sink")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            verb = command.upper()
            if verb == "EHLO":
                self.reply("250-scale-check")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 scale-check")
            elif verb == "MAIL":
                sender, recipients = argument, []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(argument.partition(":")[2].strip().split(" ")[0].strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                if sender is None or not recipients:
                    self.reply("503 MAIL and RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                if not self._receive(recipients):
                    return
                sender, recipients = None, []
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _receive(self, recipients) -> bool:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return False  # the client went away mid-message: nothing accepted
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        message = BytesHeaderParser().parsebytes(b"".join(lines))
        self.server.sink.record(
            {
                "message_id": _header(message, "Message-ID"),
                "subject": _header(message, "Subject"),
                "to": recipients,
            }
        )
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """Start with `start()`; `port` is chosen by the system; `messages()` reads what was accepted."""

    def __init__(self, path: Path, host: str = "127.0.0.1", port: int = 0):
        self.path = Path(path)
        self.path.write_text("")
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.sink = self
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, name="smtp-sink", daemon=True)

    def start(self) -> "SmtpSink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, entry: dict) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def messages(self) -> list[dict]:
        with self._lock:
            text = self.path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
