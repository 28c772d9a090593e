"""Sequential latency of related stories (GET /articles/{slug}/related) against a running
newsdesk with the response cache off: one client, each request waits for the last.

usage: related_latency.py BASE_URL SLUGS_FILE  → prints "n p50 p99 max" in milliseconds
"""
import http.client
import random
import statistics
import sys
import time
import urllib.parse

base, slugs_file = sys.argv[1], sys.argv[2]
host = urllib.parse.urlparse(base).netloc
slugs = [s.strip() for s in open(slugs_file) if s.strip()]
rng = random.Random(11)
conn = http.client.HTTPConnection(host)


def get(slug):
    conn.request("GET", "/api/v1/articles/%s/related" % slug)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit("related of %s: %d" % (slug, r.status))


for _ in range(30):
    get(rng.choice(slugs))
times = []
for _ in range(400):
    slug = rng.choice(slugs)
    t = time.perf_counter()
    get(slug)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
p99 = times[int(len(times) * 0.99) - 1]
print("%d %.2f %.2f %.2f" % (len(times), statistics.median(times), p99, times[-1]))
