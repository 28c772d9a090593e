#!/usr/bin/env bash
# Search at 100 000 articles: the plans PostgreSQL really runs for the handler's statements
# (auto_explain) and the latency of five typical queries plus a rare one. Prints a markdown
# table. Not part of `cargo test`.
#   bench/search.sh               (N=100000 by default; WORK=/tmp/newsdesk-bench keeps the data)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
WORK=${WORK:-/tmp/newsdesk-bench}
SHARED=${SHARED:-../shared}
PORT=${PORT:-18777}
cargo build --release -q
mkdir -p "$WORK"
chmod 755 "$WORK"
if [ ! -f "$WORK/corpus-$N/articles.jsonl" ]; then
  python3 "$SHARED/bench/gen_corpus.py" --n "$N" --seed 42 --out "$WORK/corpus-$N" >&2
fi
DATA="$WORK/data-$N"
if [ ! -d "$DATA/pg" ]; then
  start=$(date +%s.%N)
  NEWSDESK_DATA_DIR="$DATA" RUST_LOG=warn target/release/newsdesk import "$WORK/corpus-$N" >&2
  echo "import of $N articles: $(echo "$(date +%s.%N) - $start" | bc) s" >&2
fi
run_as() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
PSQL="psql -X -q -h $DATA/pg -U newsdesk -d newsdesk"
serve() {
  # The benchmark is one client: no per-client search limit.
  NEWSDESK_SEARCH_LIMIT=0 NEWSDESK_DATA_DIR="$DATA" NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn target/release/newsdesk serve >/dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" || true; }
trap 'kill -TERM ${SERVER:-0} 2>/dev/null || true' EXIT

# 1. Plans: log every statement's plan while each query runs once.
serve
$PSQL -c "LOAD 'auto_explain'" -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" -c "SELECT pg_reload_conf()" >/dev/null
stop
LOG="$DATA/pg/postgres.log"
serve
: > "$WORK/plans.txt"
for q in 园区 招商 干部 嘉鱼 "园区 招商" 簰洲湾; do
  before=$(wc -c < "$LOG")
  curl -sf -G --data-urlencode "q=$q" "http://127.0.0.1:$PORT/api/v1/articles" >/dev/null
  sleep 0.3
  { echo "=== q=$q"; tail -c +"$((before + 1))" "$LOG"; } >> "$WORK/plans.txt"
done
$PSQL -c "LOAD 'auto_explain'" -c "ALTER SYSTEM RESET session_preload_libraries" -c "ALTER SYSTEM RESET auto_explain.log_min_duration" -c "SELECT pg_reload_conf()" >/dev/null
stop

# 2. Latency, with the plans' verdict.
serve
python3 bench/search_latency.py "http://127.0.0.1:$PORT" "$WORK/plans.txt" "$N"
stop
