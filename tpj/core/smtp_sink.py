"""A local SMTP server that accepts every message (stdlib only): the mail server of the queue
benchmark (tpj.core.bench_queue) and of `make scale-check` (scripts/scale_check).

It speaks just enough SMTP for Django's SMTP backend and `smtplib` (EHLO/HELO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT), one thread per connection. `received` counts the messages accepted;
given a `path`, it also appends one JSON line per message (Message-ID, Subject, recipients)
to that file, so that "each e-mail sent exactly once" can be counted after the run, whoever
sent it. Without one it keeps nothing, and costs the benchmark's rates nothing more.
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
        self.server.sink.accept(b"".join(lines), recipients)
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """`SmtpSink(path).start()` … `stop()`, or `with SmtpSink() as sink:`; `port` is chosen by
    the system; `received` counts the messages accepted, `messages()` reads those recorded."""

    def __init__(self, path: Path | None = None, host: str = "127.0.0.1", port: int = 0):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.write_text("")
        self.received = 0
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

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def accept(self, data: bytes, recipients: list) -> None:
        """Count one message handed over (its headers and body in `data`), and record it when
        the sink has a file."""
        with self._lock:
            self.received += 1
        if self.path is None:
            return
        message = BytesHeaderParser().parsebytes(data)
        entry = {"message_id": _header(message, "Message-ID"), "subject": _header(message, "Subject"), "to": recipients}
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def messages(self) -> list[dict]:
        with self._lock:
            text = self.path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
