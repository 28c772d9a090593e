#!/usr/bin/env python3
"""Issue #12, item 3: 3 000 requests with random method names, and /metrics before and after.

    bench/methods.py 18792        (a newsdesk serve listening on 127.0.0.1:<port>)
"""
import http.client
import random
import string
import sys

HOST, PORT = "127.0.0.1", int(sys.argv[1])


def metrics():
    c = http.client.HTTPConnection(HOST, PORT)
    c.request("GET", "/metrics")
    return len(c.getresponse().read())


before = metrics()
conn = http.client.HTTPConnection(HOST, PORT)
for _ in range(3000):
    method = "".join(random.choice(string.ascii_uppercase) for _ in range(8))
    conn.request(method, "/api/v1/sections")
    r = conn.getresponse()
    r.read()
    if (r.getheader("connection") or "").lower() == "close":
        conn = http.client.HTTPConnection(HOST, PORT)
print(f"/metrics {before} bytes before, {metrics()} after 3000 random methods")
