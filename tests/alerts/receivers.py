"""Real local receivers for alert tests: an SMTP server (aiosmtpd) and an HTTP webhook endpoint."""
from __future__ import annotations

import email
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        attachments = {part.get_filename(): {"content_type": part.get_content_type(), "data": part.get_payload(decode=True)}
                       for part in msg.iter_attachments()}
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "subject": msg["Subject"],
                              "body": msg.get_body(preferencelist=("plain",)).get_content(), "attachments": attachments,
                              "raw": envelope.content})
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1; `.messages` holds what it received."""

    def __init__(self):
        self.handler = _Collect()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def env(self) -> dict[str, str]:
        return {"SPI_SMTP_HOST": "127.0.0.1", "SPI_SMTP_PORT": str(self.port), "SPI_SMTP_FROM": "spi-alerts@test.invalid"}


class WebhookReceiver:
    """http.server on 127.0.0.1 collecting JSON POSTs; the first `fail_first` requests get HTTP 503."""

    def __init__(self, fail_first: int = 0):
        self.posts: list[dict] = []
        self.fail_first = fail_first
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                outer.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.requests <= outer.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.posts.append({"content_type": self.headers.get("Content-Type"), "json": json.loads(body)})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def env(self) -> dict[str, str]:
        return {"SPI_ALERT_WEBHOOK_URL": self.url}


# Fixtures for every test package that needs the receivers (imported by their conftests).
import pytest  # noqa: E402


@pytest.fixture
def smtp():
    server = SmtpReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    server = WebhookReceiver().start()
    yield server
    server.stop()
