#!/usr/bin/env python3
"""The expensive-anonymous-request attack of issue #12 beside a normal reader.

Attackers (one address, THREADS threads) send `?q=的&count=true&limit=N` with N varying, so the
response cache never helps (attack A), and then with a random `published_before` as well, so no
count is shared either (attack B); one reader lists a section's articles before a random second
(uncached too). Prints, as a markdown table, the reader's latency (p50, p99, max) and statuses
alone and under the attack, and what the attackers got.

    bench/attack.py http://127.0.0.1:18790 [SECONDS] [THREADS]
"""
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 20
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 24


def get(path):
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(BASE + path, timeout=60) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except Exception:  # a refused or timed-out connection
        status = 0
    return status, time.perf_counter() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def reader(stop, out, section):
    # A random `published_before` (to the second, within a year): every page is uncached.
    while not stop.is_set():
        before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - random.randint(0, 365 * 86400)))
        out.append(get(f"/api/v1/articles?section={section}&limit={random.randint(1, 100)}&published_before={before}"))


def attacker(stop, out, fresh):
    # `fresh`: a random `published_before` too, so no count is ever shared.
    while not stop.is_set():
        path = f"/api/v1/articles?q=%E7%9A%84&count=true&limit={random.randint(1, 100)}"
        if fresh:
            path += f"&published_before={random_second()}"
        out.append(get(path))


def random_second():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - random.randint(0, 30 * 86400)))


def run(attack, section, fresh=False):
    stop = threading.Event()
    read, hit = [], []
    threads = [threading.Thread(target=reader, args=(stop, read, section))]
    if attack:
        threads += [threading.Thread(target=attacker, args=(stop, hit, fresh)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    return read, hit


def statuses(rs):
    counts = {}
    for s, _ in rs:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{k}×{v}" for k, v in sorted(counts.items()))


def row(name, rs):
    ms = [t * 1000 for _, t in rs]
    return f"| {name} | {len(rs)} | {pct(ms, .5):.1f} | {pct(ms, .99):.1f} | {max(ms):.1f} | {statuses(rs)} |"


def main():
    sections = json.load(urllib.request.urlopen(BASE + "/api/v1/sections?limit=100"))["data"]
    section = next((s["slug"] for s in sections if s["slug"] == "jiayu"), sections[0]["slug"])
    alone, _ = run(False, section)
    under, hits = run(True, section)
    under_fresh, hits_fresh = run(True, section, fresh=True)
    print(f"{SECONDS:.0f} s each; reader: GET /articles?section={section}&limit=rand&published_before=rand; "
          f"attack A: {THREADS} threads of GET /articles?q=的&count=true&limit=rand; "
          f"attack B: the same with a random published_before (no count shared)\n")
    print("| | requests | p50 ms | p99 ms | max ms | statuses |")
    print("|---|---:|---:|---:|---:|---|")
    print(row("reader alone", alone))
    print(row("reader under attack A", under))
    print(row("attack A", hits))
    print(row("reader under attack B", under_fresh))
    print(row("attack B", hits_fresh))


if __name__ == "__main__":
    main()
