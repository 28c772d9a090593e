#!/usr/bin/env bash
# The read/write benchmark (issue #6). Builds in release, generates a corpus of 100 000 county
# stories (`newsdesk seed-demo --out`), imports it into a fresh embedded database, then runs
# W1–W5 of the shared benchmark and /healthz with wrk — one client thread, 32 connections, 3 s
# warm-up, 10 s measured, median of 3 — with the response cache on and again off, and the
# handler's own statements for W1 and W2 with pgbench for comparison. Prints one markdown
# report (also written to bench/RESULTS.md). Not part of `cargo test`.
#
#   bench/run.sh [--articles N]  N=100000 RUNS=3 SECONDS_PER_RUN=10 WARMUP=3 CONNECTIONS=32
#
# BIN=path runs that binary instead of building (an older commit's, for a before/after);
# CORPUS=dir keeps the generated corpus there and reuses it on the next run; W5_ONLY=1 measures
# the import, start-up and W5 alone and prints their figures.
set -euo pipefail
while [ $# -gt 0 ]; do
  case $1 in
    --articles) N=$2; shift 2 ;;
    --articles=*) N=${1#*=}; shift ;;
    *) echo "usage: bench/run.sh [--articles N]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${N:-100000}
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18780}
OUT=${OUT:-bench/RESULTS.md}
BASE="http://127.0.0.1:$PORT"
export BENCH_DIR="$ROOT/bench"

. bench/lib.sh
bench_needs wrk pgbench "wrk postgresql-client"
started_all=$(date +%s)
bench_binary
bench_workdir bench
bench_corpus
bench_import

# The server, with the write and search limits off (one benchmark client is not abuse).
serve() {
  local cache=$1
  local t0
  t0=$(date +%s.%N)
  NEWSDESK_CACHE=$cache NEWSDESK_WRITE_LIMIT=0 NEWSDESK_SEARCH_LIMIT=0 NEWSDESK_SEARCH_TIMEOUT=60000 NEWSDESK_DATA_DIR="$DATA" \
    NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    if curl -sf "$BASE/readyz" >/dev/null; then
      READY_S=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {print a - b}')
      return
    fi
    sleep 0.01
  done
  echo "the server did not start" >&2
  exit 1
}
stop() {
  PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
  kill -TERM "$SERVER"
  wait "$SERVER" || true
  SERVER=""
}
psql_() { psql -X -q -t -A -h "$DATA/pg" -U newsdesk -d newsdesk -c "$1"; }

# wrk: warm-up, then RUNS measured runs; prints the median run's RESULT line.
# Results go to $WORK/results: mode name rps p50 p99 non2xx requests errors
measure() {
  local mode=$1 name=$2 script=$3 url=$4
  log "$mode $name"
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "bench/wrk/$script" "$url" >/dev/null
  local runs=()
  for r in $(seq 1 "$RUNS"); do
    runs+=("$(RUN="$mode-$r" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "bench/wrk/$script" "$url" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}')")
  done
  printf '%s\n' "${runs[@]}" | sort -n | awk -v m="$mode" -v n="$name" -v k="$(( (RUNS + 1) / 2 ))" 'NR == k {print m, n, $0}' >>"$WORK/results"
}

# W5 with the loss check: every acknowledged create is stored; the stored rows beyond them are
# the creates still in flight when wrk stopped (at most one per connection).
measure_writes() {
  local mode=$1
  log "$mode W5"
  local rps=() checks=()
  for r in $(seq 0 "$RUNS"); do
    local before after acked stored lost extra dur
    before=$(psql_ "SELECT count(*) FROM articles WHERE title LIKE '压测稿件 $mode-$r-%'")
    dur=$SECONDS_PER_RUN
    [ "$r" = 0 ] && dur=$WARMUP
    local line
    line=$(RUN="$mode-$r" ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d"${dur}s" -s bench/wrk/write.lua "$BASE/" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}')
    sleep 1
    psql_ "SELECT id FROM articles WHERE title LIKE '压测稿件 $mode-$r-%'" | sort >"$WORK/stored"
    sort "$WORK/acked" >"$WORK/acked.sorted"
    acked=$(wc -l <"$WORK/acked.sorted")
    stored=$(wc -l <"$WORK/stored")
    lost=$(comm -23 "$WORK/acked.sorted" "$WORK/stored" | wc -l)
    extra=$(comm -13 "$WORK/acked.sorted" "$WORK/stored" | wc -l)
    if [ "$r" -gt 0 ]; then
      # Creates per second: acknowledged creates over the measured time.
      rps+=("$(echo "$line" | awk -v a="$acked" -v d="$dur" '{printf "%.1f %s %s %s %s %s %.1f\n", $1, $2, $3, $4, $5, $6, a / d}')")
      checks+=("$acked acknowledged, $stored stored, $lost lost, $extra in flight at the cut-off")
    fi
    if [ "$lost" != 0 ] || [ "$extra" -gt "$CONNECTIONS" ]; then
      echo "W5 $mode run $r: $acked acknowledged, $stored stored, $lost lost, $extra unacknowledged" >&2
      exit 1
    fi
  done
  printf '%s\n' "${rps[@]}" | sort -n | awk -v m="$mode" -v k="$(( (RUNS + 1) / 2 ))" 'NR == k {print m, "W5", $1, $2, $3, $4, $5, $6, $7}' >>"$WORK/results"
  printf '%s\n' "${checks[@]}" >>"$WORK/w5-$mode"
}

SECTION_SLUG=bendi-yaowen
RARE=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("簰洲湾"))')
COMMON=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("园区"))')
export SLUGS="$CORPUS/slugs_sample.txt"

workloads() {
  local mode=$1
  if [ -n "${W5_ONLY:-}" ]; then
    measure_writes "$mode"
    return
  fi
  measure "$mode" W1 get.lua "$BASE/api/v1/sections/$SECTION_SLUG/articles?limit=20"
  measure "$mode" W2 detail.lua "$BASE"
  measure "$mode" W3 get.lua "$BASE/api/v1/sections/$SECTION_SLUG/feed.rss?limit=50"
  measure "$mode" "W4 园区" get.lua "$BASE/api/v1/articles?q=$COMMON&limit=20"
  measure "$mode" "W4 簰洲湾" get.lua "$BASE/api/v1/articles?q=$RARE&limit=20"
  measure "$mode" W6 related.lua "$BASE"
  measure_writes "$mode"
}

# 1. Cache on. The first start seeds the demo content and prints the demo admin's password.
serve on
FIRST_READY_S=$READY_S
PASSWORD=$(grep -o 'password: [^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f2)
export TOKEN
TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@newsdesk.local\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export PERSON TAG SECTION
PERSON=$(curl -sf "$BASE/api/v1/correspondents?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
TAG=$(curl -sf "$BASE/api/v1/tags?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
SECTION=$(psql_ "SELECT id FROM sections WHERE slug = '$SECTION_SLUG'")
# One story naming a reporter nobody else names (the corpus credits people in bylines only),
# published through the API: the rare name the searches look for.
RARE_ID=$(curl -sf "$BASE/api/v1/articles" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
  -d "{\"title\":\"武汉新港潘湾产业园新签三个项目\",\"section_id\":\"$SECTION\",\"byline\":[{\"correspondent_id\":\"$PERSON\",\"role\":\"reporter\"}],\"body_html\":\"<p>（记者叶和平 通讯员沈荣华）10日，记者在潘湾产业园项目现场看到，隆隆的机车正在作业。</p>\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for to in in_review published; do
  curl -sf "$BASE/api/v1/articles/$RARE_ID/transition" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TOKEN" -d "{\"to\":\"$to\"}" >/dev/null
done
[ -n "${W5_ONLY:-}" ] || measure on "/healthz" get.lua "$BASE/healthz"
workloads on
# auto_explain in every new session, silent until the plans are wanted (step 3).
psql_ "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" >/dev/null
psql -X -q -h "$DATA/pg" -U newsdesk -d newsdesk -c "LOAD 'auto_explain'" \
  -c "ALTER SYSTEM SET auto_explain.log_min_duration = -1" >/dev/null
stop
PEAK_ON=$PEAK_KB

# 2. Cache off; this start measures start-to-ready on an existing data dir.
serve off
READY_EXISTING_S=$READY_S
workloads off
if [ -n "${W5_ONLY:-}" ]; then
  stop
  echo "N=$N $("$BIN" --version 2>/dev/null || echo "$BIN"): import $IMPORT_S s, ready $FIRST_READY_S / $READY_EXISTING_S s"
  echo "mode W5 req/s p50 p99 non2xx requests errors creates/s"
  grep ' W5 ' "$WORK/results"
  cat "$WORK/w5-on" "$WORK/w5-off"
  exit 0
fi
# W5's stories out again (thousands of one title and one body, holding 园区 but not 招商): what
# follows measures the archive itself, as the 100k and 1M rows of the table compare.
W5_DELETED=$(psql_ "WITH d AS (DELETE FROM articles WHERE title LIKE '压测稿件 %' RETURNING 1) SELECT count(*) FROM d")
log "deleted W5's $W5_DELETED stories"
psql_ "VACUUM (ANALYZE) articles, search_documents, article_tags" >/dev/null
# The handler's statements under pgbench (the server idle meanwhile).
IDS=$(psql_ "SELECT '{' || string_agg(id::text, ',' ORDER BY published_at DESC NULLS FIRST, id DESC) || '}' FROM (SELECT id, published_at FROM articles WHERE status = 'published' AND section_id = '$SECTION' ORDER BY published_at DESC NULLS FIRST, id DESC LIMIT 21) t")
cp bench/pgbench/list.sql.in "$WORK/list.sql"
scripts=()
for slug in $(head -100 "$SLUGS"); do
  sed -e "s/@SLUG@/$slug/g" bench/pgbench/detail.sql.in >"$WORK/detail-$slug.sql"
  scripts+=(-f "$WORK/detail-$slug.sql")
done
pgb() {
  local name=$1
  shift
  log "pgbench $name"
  pgbench -n -M prepared -j1 -c"$CONNECTIONS" -T"$WARMUP" -h "$DATA/pg" -U newsdesk "$@" newsdesk >/dev/null 2>&1
  local tps=()
  for _ in $(seq 1 "$RUNS"); do
    tps+=("$(pgbench -n -M prepared -j1 -c"$CONNECTIONS" -T"$SECONDS_PER_RUN" -h "$DATA/pg" -U newsdesk "$@" newsdesk 2>/dev/null | awk '/^tps/ {print $3}')")
  done
  printf '%s\n' "${tps[@]}" | sort -n | awk -v n="$name" -v k="$(( (RUNS + 1) / 2 ))" 'NR == k {print "pgbench", n, $1}' >>"$WORK/results"
}
pgb W1 -f "$WORK/list.sql" -D status=published -D "sections={$SECTION}" -D limit=21 -D "ids=$IDS"
pgb W2 "${scripts[@]}"
# Related stories, one client, uncached: n p50 p99 max (ms).
log "related stories, sequential"
RELATED=$(python3 bench/related_latency.py "$BASE" "$SLUGS")
# 3. The plans PostgreSQL runs for the searches (cache off): no sequential scan.
psql -X -q -h "$DATA/pg" -U newsdesk -d newsdesk -c "LOAD 'auto_explain'" \
  -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" >/dev/null
psql_ "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
# The searches of the issue: a common word, a rare place, a rare name (once in the archive, the
# story published above) and two words.
SEARCHES=("园区" "簰洲湾" "叶和平" "园区 招商")
: >"$WORK/plans.txt"
lines_before=$(wc -l <"$DATA/pg/postgres.log")
for q in "${SEARCHES[@]}"; do
  before=$(wc -l <"$DATA/pg/postgres.log")
  curl -sf -G --data-urlencode "q=$q" --data-urlencode "limit=20" "$BASE/api/v1/articles" >/dev/null
  sleep 0.3
  { echo "=== q=$q"; tail -n +"$((before + 1))" "$DATA/pg/postgres.log"; } >>"$WORK/plans.txt"
done
PLANS=$(tail -n +"$((lines_before + 1))" "$DATA/pg/postgres.log" | grep -c 'Query Text' || true)
SEQ=$(tail -n +"$((lines_before + 1))" "$DATA/pg/postgres.log" | grep -c 'Seq Scan on' || true)
# And for related stories of three articles.
lines_before=$(wc -l <"$DATA/pg/postgres.log")
for slug in $(sed -n '1p;500p;1000p' "$SLUGS"); do
  curl -sf "$BASE/api/v1/articles/$slug/related" >/dev/null
done
sleep 0.5
RPLANS=$(tail -n +"$((lines_before + 1))" "$DATA/pg/postgres.log" | grep -c 'Query Text' || true)
RSEQ=$(tail -n +"$((lines_before + 1))" "$DATA/pg/postgres.log" | grep -c 'Seq Scan on' || true)
psql_ "ALTER SYSTEM RESET session_preload_libraries" >/dev/null
psql -X -q -h "$DATA/pg" -U newsdesk -d newsdesk -c "LOAD 'auto_explain'" \
  -c "ALTER SYSTEM RESET auto_explain.log_min_duration" >/dev/null
psql_ "SELECT pg_reload_conf()" >/dev/null
# The same searches one at a time, uncached (a fresh session plans them without auto_explain).
log "searches, sequential"
python3 bench/search_latency.py "$BASE" "$WORK/plans.txt" "$N" "${SEARCHES[@]}" >"$WORK/searches.md"
DB_MB=$(psql_ "SELECT pg_database_size('newsdesk') / 1048576")
stop
PEAK_OFF=$PEAK_KB

ELAPSED=$(( $(date +%s) - started_all ))
export N CONNECTIONS WARMUP SECONDS_PER_RUN RUNS ELAPSED IMPORT_S FIRST_READY_S READY_EXISTING_S \
  PEAK_ON PEAK_OFF PLANS SEQ RELATED RPLANS RSEQ DB_MB W5_DELETED
python3 - "$WORK" "$OUT" <<'PY'
import sys, os, datetime, subprocess
work, out = sys.argv[1], sys.argv[2]
E = os.environ
rows = [l.split(' ') for l in open(os.path.join(work, 'results')).read().splitlines()]
res = {}
for r in rows:
    if r[0] == 'pgbench':
        res[('pgbench', r[1])] = float(r[2])
    else:
        # mode, name (may contain a space), numbers...
        mode = r[0]; name = ' '.join(r[1:-6]) if r[1] != 'W5' else 'W5'
        nums = r[-6:] if r[1] != 'W5' else r[-7:]
        res[(mode, name)] = nums
healthz = float(res[('on', '/healthz')][0])
def row(mode, name):
    v = res[(mode, name)]
    rps = float(v[0]); p50 = float(v[1]); p99 = float(v[2]); non2xx = int(v[3])
    extra = ''
    if name == 'W5':
        extra = ' (%s creates/s)' % v[6]
    return rps, p50, p99, non2xx, extra
lines = []
w = lines.append
rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
cpu = [l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')]
w('# Benchmark results')
w('')
w('`bench/run.sh` on %s (%d × %s), commit %s, %s.' % (datetime.date.today(), len(cpu), cpu[0] if cpu else '?', rev, 'N=' + E['N']))
w('wrk: 1 thread, %s connections, %s s warm-up, %s s measured, median of %s. Whole run: %s s.' % (E['CONNECTIONS'], E['WARMUP'], E['SECONDS_PER_RUN'], E['RUNS'], E['ELAPSED']))
w('')
w('| workload | cache | req/s | p50 ms | p99 ms | non-2xx | ratio |')
w('|---|---|---:|---:|---:|---:|---|')
w('| /healthz | – | %.0f | %.2f | %.2f | %d | 1.00 × healthz |' % row('on', '/healthz')[:4])
for name in ['W1', 'W2', 'W3', 'W4 园区', 'W4 簰洲湾', 'W6', 'W5']:
    for mode in ['on', 'off']:
        rps, p50, p99, non2xx, extra = row(mode, name)
        ratio = '%.2f × healthz' % (rps / healthz)
        if mode == 'off' and ('pgbench', name) in res:
            ratio += ', %.2f × pgbench (%.0f tps)' % (rps / res[('pgbench', name)], res[('pgbench', name)])
        if name.startswith('W4'):
            ratio += ', p99/p50 %.1f' % (p99 / p50 if p50 else 0)
        w('| %s | %s | %.0f%s | %.2f | %.2f | %d | %s |' % (name, mode, rps, extra, p50, p99, non2xx, ratio))
w('')
w('- W1 `GET /api/v1/sections/bendi-yaowen/articles?limit=20`; W2 `GET /api/v1/articles/{slug}` (random among 1000 sampled slugs); W3 `GET /api/v1/sections/bendi-yaowen/feed.rss?limit=50`; W4 `GET /api/v1/articles?q=…&limit=20`; W6 `GET /api/v1/articles/{slug}/related` (random sampled slugs); W5 create (byline, tag) then `in_review` then `published` — req/s counts all three, creates/s the acknowledged creates.')
w('- pgbench: the statements the handler issues (captured with `log_statement = all`, in `bench/pgbench/`), `-M prepared`, 1 thread, %s clients, against the same database.' % E['CONNECTIONS'])
w('- W5 loss check, per measured run:')
for mode in ['on', 'off']:
    for l in open(os.path.join(work, 'w5-' + mode)).read().splitlines():
        w('  - cache %s: %s' % (mode, l))
w('- Import of %s articles: %.1f s. Start to /readyz: %.2f s on the first start after the import (demo content seeded), %.2f s on the existing data dir.' % (E['N'], float(E['IMPORT_S']), float(E['FIRST_READY_S']), float(E['READY_EXISTING_S'])))
w('- Server peak RSS (VmHWM): %.0f MB with the cache on, %.0f MB off.' % (int(E['PEAK_ON']) / 1024, int(E['PEAK_OFF']) / 1024))
w('- Database size on disk (`pg_database_size`): %s MB.' % E['DB_MB'])
w('- After the cache-off W5, its %s stories were deleted again: pgbench, related stories and the searches below ran on the archive itself.' % E['W5_DELETED'])
w('- Search plans (auto_explain of the four searches below, %s statements): %s sequential scans.' % (E['PLANS'], E['SEQ']))
rn, rp50, rp99, rmax = E['RELATED'].split()
w('- Related stories, one client, cache off, %s requests: p50 %s ms, p99 %s ms, max %s ms; plans (auto_explain, %s statements for three articles): %s sequential scans.' % (rn, rp50, rp99, rmax, E['RPLANS'], E['RSEQ']))
w('')
lines.extend(open(os.path.join(work, 'searches.md')).read().splitlines())
text = '\n'.join(lines) + '\n'
open(out, 'w').write(text)
print(text)
PY
