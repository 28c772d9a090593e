#!/usr/bin/env bash
# Issue #14's figures: N_PUB publications with a webhook, a purge target (xkey style) and IndexNow
# configured, the receiver on loopback (bench/receiver.py): delivery latency from commit to
# receipt (p50/p99), every delivery received; then W5 (create with byline and tag, then
# in_review, then published; wrk, one thread, 32 connections, median of RUNS alternating runs)
# with the outbox sending all three and without any integration, with the CPU each used. Release build, fresh embedded data dir with the
# demo content. Prints a markdown report (also written to bench/OUTBOX.md).
#
#   bench/outbox.sh            N_PUB=1000 RUNS=3 SECONDS_PER_RUN=10 CONNECTIONS=32
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N_PUB=${N_PUB:-1000}
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18795}
RPORT=${RPORT:-18796}
OUT=${OUT:-bench/OUTBOX.md}
BASE="http://127.0.0.1:$PORT"
export BENCH_DIR="$ROOT/bench"
log() { echo "[$(date +%T)] $*" >&2; }

if ! command -v wrk >/dev/null || ! command -v psql >/dev/null || ! command -v bc >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk postgresql-client bc >/dev/null
  else
    echo "bench/outbox.sh needs wrk, psql and bc (apt-get install wrk postgresql-client bc)" >&2
    exit 1
  fi
fi

log "building (release)"
cargo build --release -q
BIN="$ROOT/target/release/newsdesk"
WORK=$(mktemp -d /tmp/newsdesk-outbox.XXXXXX)
chmod 755 "$WORK"
SERVER="" RECEIVER=""
cleanup() {
  [ -n "$SERVER" ] && { kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  [ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 bench/receiver.py "$RPORT" >"$WORK/receipts.jsonl" &
RECEIVER=$!

serve() {
  local integrations=$1
  local vars=(NEWSDESK_DATA_DIR="$WORK/data" NEWSDESK_BIND="127.0.0.1:$PORT" NEWSDESK_WRITE_LIMIT=0
    NEWSDESK_SEARCH_LIMIT=0 NEWSDESK_WEBHOOK_ALLOW_PRIVATE=1 RUST_LOG=warn)
  if [ "$integrations" = on ]; then
    vars+=(NEWSDESK_PURGE_URL="http://127.0.0.1:$RPORT/purge" NEWSDESK_PURGE_STYLE=xkey
      NEWSDESK_INDEXNOW_KEY=0123456789abcdef NEWSDESK_INDEXNOW_URL="http://127.0.0.1:$RPORT/indexnow")
  fi
  env "${vars[@]}" "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 1000); do
    curl -sf "$BASE/readyz" >/dev/null && return
    sleep 0.02
  done
  echo "the server did not start" >&2
  exit 1
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""; }
api() { curl -sf -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}; }

serve on
PASSWORD=$(grep -o 'password: [^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f2)
login() {
  curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@newsdesk.local\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
TOKEN=$(login)
export TOKEN
SECTION=$(api GET /api/v1/sections/bendi-yaowen | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
PERSON=$(api GET '/api/v1/correspondents?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
TAG=$(api GET '/api/v1/tags?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
export SECTION PERSON TAG
HOOK=$(api POST /api/v1/webhooks "{\"url\":\"http://127.0.0.1:$RPORT/hook\",\"events\":[\"*\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

log "latency: $N_PUB publications"
LATENCY=$(python3 bench/outbox_latency.py "$BASE" "$TOKEN" "$SECTION" "$PERSON" "$WORK/receipts.jsonl" "$N_PUB")
echo "$LATENCY" >&2

# CPU seconds (user + system) a process has used.
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU seconds the whole machine has been busy.
busy() { awk '/^cpu / {printf "%.2f", ($2 + $3 + $4 + $7 + $8) / 100}' /proc/stat; }
# One W5 run of SECONDS_PER_RUN against the server that runs now, after a 3 s warm-up:
# "creates/s server-cpu-ms-per-create receiver-cpu-ms-per-create machine-cpu-ms-per-create".
w5_run() {
  local name=$1 acked s0 r0 b0 s1 r1 b1
  RUN="$name-warm" ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d3s -s bench/wrk/write.lua "$BASE/" >/dev/null
  s0=$(cpu "$SERVER") r0=$(cpu "$RECEIVER") b0=$(busy)
  RUN="$name" ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/wrk/write.lua "$BASE/" >/dev/null
  sleep 1 # the dispatcher's last round
  s1=$(cpu "$SERVER") r1=$(cpu "$RECEIVER") b1=$(busy)
  acked=$(wc -l <"$WORK/acked")
  awk -v a="$acked" -v d="$SECONDS_PER_RUN" -v s="$(echo "$s1 - $s0" | bc)" -v r="$(echo "$r1 - $r0" | bc)" \
    -v b="$(echo "$b1 - $b0" | bc)" 'BEGIN {printf "%.1f %.2f %.2f %.2f\n", a / d, s * 1000 / a, r * 1000 / a, b * 1000 / a}'
}
hook_active() {
  api PATCH "/api/v1/webhooks/$HOOK" "{\"active\": $1}" >/dev/null
}
sql() { psql -X -q -t -A -h "$WORK/data/pg" -U newsdesk -d newsdesk -c "$1"; }
# Every run starts from the same database: the articles earlier runs created (and the outbox's
# sent messages) deleted, the tables vacuumed. Without it each run is slower than the last
# (W5's titles all share their words, so each publication's related stories weigh more).
reset() {
  sql "DELETE FROM articles WHERE title LIKE '压测稿件%'; DELETE FROM outbox WHERE state <> 'pending'" >/dev/null
  sql "VACUUM ANALYZE" >/dev/null
}
median() { sort -n | awk -v k="$(( (RUNS + 1) / 2 ))" 'NR == k'; }
# The runs alternate (on, off, on, off…) on one database, each on a fresh process and from the
# same data (reset), so drift in the machine falls on both sides alike.
one_run() {
  local mode=$1 r=$2
  serve "$mode"
  TOKEN=$(login) && export TOKEN
  hook_active "$([ "$mode" = on ] && echo true || echo false)"
  reset
  log "W5 run $r, integrations $mode"
  w5_run "$mode-$r" | tee -a "$WORK/w5-$mode" >&2
  if [ "$mode" = on ]; then PENDING=$(sql "SELECT count(*) FROM outbox WHERE state = 'pending'"); fi
  stop
}
stop
: >"$WORK/w5-on" && : >"$WORK/w5-off"
for r in $(seq 1 "$RUNS"); do
  one_run on "$r"
  one_run off "$r"
done

W5_ON=$(cut -d' ' -f1 "$WORK/w5-on" | median)
W5_OFF=$(cut -d' ' -f1 "$WORK/w5-off" | median)
col() { cut -d' ' -f"$1" "$WORK/w5-$2" | median; }

{
  echo "# Outbox: delivery latency and W5 ($(date -u +%F), $(nproc) cores, commit $(git rev-parse --short HEAD))"
  echo
  echo '`bench/outbox.sh` — release build, embedded PostgreSQL, demo data; receiver `bench/receiver.py` on loopback.'
  echo
  echo '| | |'
  echo '|---|---|'
  echo "$LATENCY"
  echo
  echo "W5 (create + in_review + published per article), $RUNS alternating runs of ${SECONDS_PER_RUN} s each, $CONNECTIONS connections; medians. CPU in ms per created article: the newsdesk process (dispatcher included), the loopback receiver, the whole machine (PostgreSQL and wrk included)."
  echo
  echo '| | creates/s | newsdesk CPU | receiver CPU | machine CPU |'
  echo '|---|---|---|---|---|'
  echo "| webhook + purge + IndexNow | $W5_ON | $(col 2 on) | $(col 3 on) | $(col 4 on) |"
  echo "| no integrations | $W5_OFF | $(col 2 off) | $(col 3 off) | $(col 4 off) |"
  echo
  echo "Every run (creates/s, CPU ms per create: newsdesk, receiver, machine): on $(tr '\n' ';' <"$WORK/w5-on") off $(tr '\n' ';' <"$WORK/w5-off")"
  echo
  echo "W5 cost of the outbox: $(awk -v a="$W5_ON" -v b="$W5_OFF" 'BEGIN {printf "%.1f %%", (b - a) / b * 100}'); outbox messages still pending 1 s after the last run with it: $PENDING."
} | tee "$OUT"
