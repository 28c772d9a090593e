#!/usr/bin/env python3
"""A loopback receiver for the outbox bench: answers 200 to every POST/PURGE and writes one JSON
line per request (path, arrival time, the webhook payload's type and timestamp) to stdout."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, so that newsdesk's client reuses its connections.
    protocol_version = "HTTP/1.1"
    def _take(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        arrived = time.time()
        kind = timestamp = None
        if self.path.startswith("/hook"):
            try:
                payload = json.loads(body)
                kind, timestamp = payload.get("type"), payload.get("timestamp")
            except ValueError:
                pass
        line = json.dumps({"path": self.path, "at": arrived, "type": kind, "timestamp": timestamp,
                           "id": self.headers.get("webhook-id"), "keys": self.headers.get("xkey-purge")})
        with LOCK:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = _take
    do_PURGE = _take

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the SYNs of concurrent deliveries (a 1 s retransmit each).
    request_queue_size = 1024
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
