#!/usr/bin/env bash
# Issue #14's figures: N_PUB publications with a webhook, a purge target (xkey style) and IndexNow
# configured, the receiver on loopback (bench/receiver.py): delivery latency from commit to
# receipt (p50/p99), every delivery received; then W5 (create with byline and tag, then
# in_review, then published; wrk, one thread, 32 connections, median of RUNS) with the outbox
# sending all three and without any integration. Release build, fresh embedded data dir with the
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
TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@newsdesk.local\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export TOKEN
SECTION=$(api GET /api/v1/sections/bendi-yaowen | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
PERSON=$(api GET '/api/v1/correspondents?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
TAG=$(api GET '/api/v1/tags?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
export SECTION PERSON TAG
HOOK=$(api POST /api/v1/webhooks "{\"url\":\"http://127.0.0.1:$RPORT/hook\",\"events\":[\"*\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

log "latency: $N_PUB publications"
LATENCY=$(python3 bench/outbox_latency.py "$BASE" "$TOKEN" "$SECTION" "$PERSON" "$WORK/receipts.jsonl" "$N_PUB")
echo "$LATENCY" >&2

w5() {
  local mode=$1 runs=()
  RUN="$mode-0" ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d3s -s bench/wrk/write.lua "$BASE/" >/dev/null
  for r in $(seq 1 "$RUNS"); do
    local acked
    RUN="$mode-$r" ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/wrk/write.lua "$BASE/" >/dev/null
    acked=$(wc -l <"$WORK/acked")
    runs+=("$(awk -v a="$acked" -v d="$SECONDS_PER_RUN" 'BEGIN {printf "%.1f", a / d}')")
  done
  printf '%s\n' "${runs[@]}" | sort -n | awk -v k="$(( (RUNS + 1) / 2 ))" 'NR == k'
}
log "W5 with the outbox (webhook, purge, IndexNow)"
W5_ON=$(w5 on)
sleep 3
PENDING=$(psql -X -q -t -A -h "$WORK/data/pg" -U newsdesk -d newsdesk -c "SELECT count(*) FROM outbox WHERE state = 'pending'")
MESSAGES=$(psql -X -q -t -A -h "$WORK/data/pg" -U newsdesk -d newsdesk -c "SELECT count(*) FROM outbox")
api DELETE "/api/v1/webhooks/$HOOK" >/dev/null
stop
serve off
log "W5 without integrations"
W5_OFF=$(w5 off)
stop

{
  echo "# Outbox: delivery latency and W5 ($(date -u +%F), $(nproc) cores, commit $(git rev-parse --short HEAD))"
  echo
  echo '`bench/outbox.sh` — release build, embedded PostgreSQL, demo data; receiver `bench/receiver.py` on loopback.'
  echo
  echo '| | |'
  echo '|---|---|'
  echo "$LATENCY"
  echo "| W5 creates/s with webhook + purge + IndexNow | $W5_ON |"
  echo "| W5 creates/s without integrations | $W5_OFF |"
  echo "| W5 cost of the outbox | $(awk -v a="$W5_ON" -v b="$W5_OFF" 'BEGIN {printf "%.1f %%", (b - a) / b * 100}') |"
  echo "| outbox messages written / still pending 3 s after the last W5 run | $MESSAGES / $PENDING |"
} | tee "$OUT"
