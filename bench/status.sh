#!/usr/bin/env bash
# What a status change costs the database (issue #16, item 6): a corpus of N articles imported by
# one binary, then the statement `set_status` runs — a new version of the article row with its
# status, publication time and version — for COUNT imported (full-sized) published articles,
# one statement per article as the workflow issues it, in one psql session; the time, the WAL it
# wrote and how the GIN indexes grew. Run it with BIN= an older commit's binary for the before.
#
#   bench/status.sh               N=100000 COUNT=2000 LABEL=after (BIN=, CORPUS= as run.sh)
# Prints one row: label | articles | changes | seconds | ms per change | WAL MB | GIN MB
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
COUNT=${COUNT:-2000}
. bench/lib.sh
bench_binary
bench_workdir status
PORT=${PORT:-18783}
bench_corpus
bench_import
# The server keeps the embedded cluster running (and migrates nothing more).
NEWSDESK_DATA_DIR="$DATA" NEWSDESK_BIND="127.0.0.1:$PORT" RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
psql_() { psql -X -q -t -A -h "$DATA/pg" -U newsdesk -d newsdesk "$@"; }
psql_ -c "VACUUM ANALYZE articles" >/dev/null
gin_mb() {
  psql_ -c "SELECT coalesce(round(sum(pg_relation_size(indexrelid)) / 1048576.0, 1), 0) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin'"
}
# The workflow's statement, one per article, as `articles::write::store::set_status` sends it.
psql_ -c "SELECT id FROM articles WHERE status = 'published' ORDER BY id LIMIT $COUNT" |
  awk '{printf "UPDATE articles SET status = '"'"'archived'"'"', publish_at = NULL, published_at = published_at, version = version + 1, updated_at = now() WHERE id = '"'"'%s'"'"';\n", $1}' >"$WORK/updates.sql"
gin_before=$(gin_mb)
lsn_before=$(psql_ -c "SELECT pg_current_wal_lsn()")
t0=$(date +%s.%N)
psql_ -f "$WORK/updates.sql" >/dev/null
# Whatever the GIN indexes left in their pending lists is written now, and counted.
psql_ -c "VACUUM articles" >/dev/null
seconds=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {printf "%.2f", a - b}')
wal_mb=$(psql_ -c "SELECT round((pg_current_wal_lsn() - '$lsn_before'::pg_lsn) / 1048576.0, 1)")
gin_after=$(gin_mb)
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=""
echo "| ${LABEL:-$BIN} | $N | $COUNT | $seconds | $(awk -v s="$seconds" -v n="$COUNT" 'BEGIN {printf "%.2f", s * 1000 / n}') | $wal_mb | $gin_before → $gin_after |"
