"""A real HTTP receiver on 127.0.0.1 for the webhook tests: a server thread
that records each request, checks its signature the way the README tells a
receiver to, and answers with the status the test chooses."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from grantflow.webhooks import signing


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    status: int = 200
    location: str | None = None
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/grantflow?source=test"

    def events(self) -> list[str]:
        return [r.payload["event"] for r in self.received]


def start(receiver: Receiver) -> Receiver:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ok = signing.verify(receiver.secret, body, self.headers.get(signing.HEADER, ""))
            receiver.received.append(Received(self.path, dict(self.headers), body, ok))
            self.send_response(receiver.status if ok else 400)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks" if ok else b"bad signature")

        def log_message(self, *args):  # keep the test output quiet
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver
