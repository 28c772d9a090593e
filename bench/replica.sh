#!/usr/bin/env bash
# Issue #16's replica figures: a corpus of N articles imported into a fresh embedded primary, a
# hot standby of it made with pg_basebackup -R on the same machine, then anonymous cache-miss
# reads (the response cache off: every request reaches PostgreSQL) with wrk — W2 (an article by
# slug) and W1 (a section's list) — on the primary alone and with NEWSDESK_REPLICA_URL; the
# replay lag /readyz reports while W5 writes; the same reads while the standby is stopped
# (every one must still answer 200); and how long after the standby is back it is used again.
# One client thread, 32 connections, 3 s warm-up, 10 s measured. Prints a markdown report (also
# written to bench/REPLICA.md). Not part of `cargo test`.
#
#   bench/replica.sh            N=100000 SECONDS_PER_RUN=10 CONNECTIONS=32 (BIN=, CORPUS= as run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${N:-100000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18782}
OUT=${OUT:-bench/REPLICA.md}
BASE="http://127.0.0.1:$PORT"
export BENCH_DIR="$ROOT/bench"
. bench/lib.sh
bench_needs wrk psql "wrk postgresql-client"
bench_binary
PGBIN=$(pg_config --bindir)
bench_workdir replica
STANDBY="$WORK/standby"
# The clusters run as `postgres` when this runs as root (PostgreSQL refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
standby_ctl() {
  as_pg "'$PGBIN/pg_ctl' -D '$STANDBY' -w -s -l '$STANDBY/log' $*"
}
bench_extra_cleanup() {
  if [ -f "$STANDBY/postmaster.pid" ]; then standby_ctl -m immediate stop >/dev/null 2>&1 || true; fi
}
bench_corpus
bench_import
export SLUGS="$CORPUS/slugs_sample.txt"
REPLICA_URL="postgres://newsdesk@localhost/newsdesk?host=$STANDBY"

serve() {
  local replica=$1
  local vars=(NEWSDESK_CACHE=off NEWSDESK_WRITE_LIMIT=0 NEWSDESK_SEARCH_LIMIT=0 NEWSDESK_DATA_DIR="$DATA"
    NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn)
  [ "$replica" = on ] && vars+=(NEWSDESK_REPLICA_URL="$REPLICA_URL")
  env "${vars[@]}" "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 1000); do
    curl -sf "$BASE/readyz" >/dev/null && return
    sleep 0.01
  done
  echo "the server did not start" >&2
  exit 1
}
stop() {
  kill -TERM "$SERVER"
  wait "$SERVER" || true
  SERVER=""
}
in_use() {
  curl -sf "$BASE/readyz" | python3 -c 'import json,sys; r = json.load(sys.stdin).get("replica") or {}; print("yes" if r.get("in_use") else "no")'
}
# Seconds until `in_use` says $1 (at most 60).
wait_in_use() {
  local want=$1 t0
  t0=$(date +%s.%N)
  for _ in $(seq 1 600); do
    [ "$(in_use)" = "$want" ] && { awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.2f", a - b}'; return; }
    sleep 0.1
  done
  echo "the replica's state did not become $want" >&2
  exit 1
}
# wrk, warm-up then one measured run: "req/s p50 p99 non-2xx requests errors".
measure() {
  local script=$1 url=$2
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "bench/wrk/$script" "$url" >/dev/null
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "bench/wrk/$script" "$url" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}'
}
reads_from() {
  curl -sf "$BASE/metrics" | awk -v db="$1" '$1 == "db_reads_total{db=\"" db "\"}" {print $2}'
}
SECTION_SLUG=bendi-yaowen
W1_URL="$BASE/api/v1/sections/$SECTION_SLUG/articles?limit=20"

# 1. The primary alone (this start also seeds the demo content and its admin).
serve off
PASSWORD=$(grep -o 'password: [^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f2)
log "primary alone: W2, W1"
PRIMARY_W2=$(measure detail.lua "$BASE")
PRIMARY_W1=$(measure get.lua "$W1_URL")
# The standby, made from the running primary.
log "pg_basebackup -R"
t0=$(date +%s.%N)
mkdir -p "$STANDBY"
chmod 700 "$STANDBY"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$STANDBY"
as_pg "'$PGBIN/pg_basebackup' -D '$STANDBY' -R -X stream -c fast -h '$DATA/pg' -U newsdesk"
# The primary's socket is in its data directory: the copy has its lock file.
rm -f "$STANDBY"/.s.PGSQL.*.lock
BASEBACKUP_S=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.1f", a - b}')
STANDBY_MB=$(du -sm "$STANDBY" | cut -f1)
standby_ctl -o "\"-k $STANDBY -c listen_addresses= -c port=5432\"" start
stop

# 2. With the replica.
serve on
USED_AFTER_START=$(wait_in_use yes)
before=$(reads_from replica)
log "with the replica: W2, W1"
REPLICA_W2=$(measure detail.lua "$BASE")
REPLICA_W1=$(measure get.lua "$W1_URL")
REPLICA_READS=$(( $(reads_from replica) - before ))
PRIMARY_READS=$(reads_from primary)
# The lag /readyz reports while W5 writes (sampled every 100 ms).
export TOKEN PERSON TAG SECTION
TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@newsdesk.local\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
PERSON=$(curl -sf "$BASE/api/v1/correspondents?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
TAG=$(curl -sf "$BASE/api/v1/tags?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
SECTION=$(curl -sf "$BASE/api/v1/sections/$SECTION_SLUG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
log "lag under W5"
( for _ in $(seq 1 $(( SECONDS_PER_RUN * 10 ))); do
    curl -sf "$BASE/readyz" | python3 -c 'import json,sys; r = json.load(sys.stdin)["replica"]; print(r["lag_ms"] if r["lag_ms"] is not None else -1, int(r["in_use"]))'
    sleep 0.1
  done >"$WORK/lag" ) &
SAMPLER=$!
W5=$(RUN=replica ACKED="$WORK/acked" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/wrk/write.lua "$BASE/" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}')
wait "$SAMPLER"
CREATES=$(wc -l <"$WORK/acked")
LAG=$(sort -n "$WORK/lag" | awk '{l[NR] = $1; u += $2} END {printf "%d samples: p50 %d ms, max %d ms, in use in %d", NR, l[int(NR / 2) + 1], l[NR], u}')

# 3. The standby stopped under load: every read still answers, from the primary.
log "standby stopped"
(sleep 2; standby_ctl -m immediate stop) &
STOPPER=$!
DOWN_W2=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s bench/wrk/detail.lua "$BASE" | awk '/^RESULT/ {print $2, $3, $4, $5, $6, $7}')
wait "$STOPPER"
DOWN_STATE=$(in_use)
# 4. Back: how long until the watch uses it again.
log "standby started again"
t0=$(date +%s.%N)
standby_ctl -o "\"-k $STANDBY -c listen_addresses= -c port=5432\"" start
BACK_S=$(wait_in_use yes)
BACK_TOTAL_S=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.2f", a - b}')
stop

export N CONNECTIONS WARMUP SECONDS_PER_RUN PRIMARY_W2 PRIMARY_W1 REPLICA_W2 REPLICA_W1 REPLICA_READS PRIMARY_READS \
  W5 CREATES LAG DOWN_W2 DOWN_STATE BACK_S BACK_TOTAL_S USED_AFTER_START BASEBACKUP_S STANDBY_MB
python3 - "$OUT" <<'PY'
import datetime, os, subprocess, sys
E = os.environ
rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
cpu = [l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')]
lines = []
w = lines.append
w('# Replica benchmark')
w('')
w('`bench/replica.sh` on %s (%d × %s), commit %s, N=%s; primary, standby and newsdesk on the same machine; response cache off.' % (datetime.date.today(), len(cpu), cpu[0] if cpu else '?', rev, E['N']))
w('wrk: 1 thread, %s connections, %s s warm-up, %s s measured.' % (E['CONNECTIONS'], E['WARMUP'], E['SECONDS_PER_RUN']))
w('')
w('| reads | req/s | p50 ms | p99 ms | non-2xx | socket errors |')
w('|---|---:|---:|---:|---:|---:|')
def row(name, v):
    rps, p50, p99, bad, _n, err = v.split()
    w('| %s | %.0f | %.2f | %.2f | %s | %s |' % (name, float(rps), float(p50), float(p99), bad, err))
row('W2 primary alone', E['PRIMARY_W2'])
row('W2 with the replica', E['REPLICA_W2'])
row('W1 primary alone', E['PRIMARY_W1'])
row('W1 with the replica', E['REPLICA_W1'])
row('W2, standby stopped 2 s in', E['DOWN_W2'])
w('')
w('- With the replica: %s reads on the replica during the two runs, %s on the primary in all (its own start-up and the staff login).' % (E['REPLICA_READS'], E['PRIMARY_READS']))
w('- pg_basebackup -R of the imported primary: %s s, %s MB. Replica in use %s s after the server started.' % (E['BASEBACKUP_S'], E['STANDBY_MB'], E['USED_AFTER_START']))
rps, p50, p99, bad, n, err = E['W5'].split()
w('- Replay lag in /readyz while W5 writes (%.0f req/s, %s creates in %s s, non-2xx %s): %s.' % (float(rps), E['CREATES'], E['SECONDS_PER_RUN'], bad, E['LAG']))
w('- Standby stopped: /readyz then says in_use %s; started again, in use %s s after `pg_ctl start` returned (%s s with its start).' % (E['DOWN_STATE'], E['BACK_S'], E['BACK_TOTAL_S']))
text = '\n'.join(lines) + '\n'
open(sys.argv[1], 'w').write(text)
print(text)
PY
