#!/usr/bin/env python3
"""Publishes N articles (create, in_review, published) from 8 threads, waits until the receiver
has every `article.published` webhook, and prints the latency from the change's commit (the
payload's `timestamp`, taken in the write's transaction) to receipt.

    bench/outbox_latency.py BASE TOKEN SECTION PERSON RECEIPTS_FILE N
"""
import json
import sys
import threading
import time
import urllib.request
from datetime import datetime

BASE, TOKEN, SECTION, PERSON, RECEIPTS, N = sys.argv[1:7]
N = int(N)


def call(method, path, body):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def publish(k, count):
    for i in range(count):
        a = call("POST", "/api/v1/articles", {
            "title": f"外发延迟 {k}-{i}", "body_html": "<p>园区签约。</p>", "section_id": SECTION,
            "byline": [{"correspondent_id": PERSON, "role": "reporter"}]})
        for to in ("in_review", "published"):
            call("POST", f"/api/v1/articles/{a['id']}/transition", {"to": to})


t0 = time.time()
threads = [threading.Thread(target=publish, args=(k, N // 8 + (1 if k < N % 8 else 0))) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
took = time.time() - t0
deadline = time.time() + 120
while True:
    lines = [json.loads(l) for l in open(RECEIPTS) if l.strip()]
    hooks = [l for l in lines if l["type"] == "article.published" and l["timestamp"] and "外发延迟" in json.dumps(l)] or \
            [l for l in lines if l["type"] == "article.published"]
    if len(hooks) >= N or time.time() > deadline:
        break
    time.sleep(0.2)
lat = sorted((h["at"] - datetime.fromisoformat(h["timestamp"].replace("Z", "+00:00")).timestamp()) * 1000 for h in hooks)
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))]
ids = {h["id"] for h in hooks}
purges = sum(1 for l in lines if l["path"].startswith("/purge"))
pushes = sum(1 for l in lines if l["path"].startswith("/indexnow"))
print(f"| publications | {N} in {took:.1f} s ({N / took:.0f}/s) |")
print(f"| article.published webhooks received | {len(hooks)} ({len(ids)} distinct webhook-id) |")
print(f"| commit → receipt p50 / p99 / max | {pct(.5):.1f} / {pct(.99):.1f} / {lat[-1]:.1f} ms |")
print(f"| purge requests / IndexNow requests | {purges} / {pushes} |")
