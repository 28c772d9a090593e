"""Sequential latency of search queries against a running newsdesk; prints a markdown table.

usage: search_latency.py BASE_URL PLANS_FILE ARTICLES [QUERY …]
(the queries default to six typical ones; the plans file holds auto_explain's output after a
line "=== q=<query>" for each)
"""
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse

base, plans_file, articles = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlparse(base).netloc
QUERIES = sys.argv[4:] or ["园区", "招商", "干部", "嘉鱼", "园区 招商", "簰洲湾"]
WARMUP, RUNS = 20, 200

plans = {}
current = None
for line in open(plans_file, encoding="utf-8", errors="replace"):
    m = re.match(r"=== q=(.*)", line)
    if m:
        current = m.group(1).strip()
        plans[current] = []
    elif current is not None:
        plans[current].append(line)


def verdict(q):
    text = "".join(plans.get(q, []))
    if "articles" not in text:
        return "no plan logged"
    scans = sorted(set(re.findall(r"(?:Bitmap )?Index(?: Only)? Scan(?: Backward)?(?: using \w+)? on \w+|Seq Scan on \w+", text)))
    seq = [s for s in scans if s.startswith("Seq Scan")]
    used = ", ".join(s for s in scans if "articles" in s or "search_documents" in s)
    return ("**%s** " % ", ".join(seq) if seq else "no seq scan; ") + used


conn = http.client.HTTPConnection(host)


def get(q, count=False):
    path = "/api/v1/articles?" + urllib.parse.urlencode({"q": q, **({"count": "true"} if count else {})})
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"{q}: HTTP {r.status} {body[:200]!r}")
    return json.loads(body)


print(f"Search latency at {articles} articles (one client, sequential, {RUNS} runs after {WARMUP} warm-up; first page of 20)\n")
print("| query | hits | p50 ms | p99 ms | p99/p50 | plan |")
print("|---|---:|---:|---:|---:|---|")
for q in QUERIES:
    total = get(q, count=True)["page"]["total"]
    for _ in range(WARMUP):
        get(q)
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        get(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"| {q} | {total} | {p50:.2f} | {p99:.2f} | {p99 / p50:.1f} | {verdict(q)} |")
