#!/usr/bin/env bash
# Issue #15's figures: the upload of a 12-megapixel JPEG (stored without its metadata, with its
# three variants) — wall time and the server's peak RSS; variants and originals served warm
# (wrk, req/s); ten 12-megapixel uploads at once — peak RSS against the stated bound
# (NEWSDESK_MEDIA_UPLOADS × (2 × body + 4 × pixels + 16 MiB)). Release build, a fresh embedded
# data dir with the demo content for each phase; photos made by Pillow (PyPI, into
# target/bench-venv). Prints a markdown report (also written to bench/MEDIA.md).
#
#   bench/media.sh            SINGLES=5 SECONDS_PER_RUN=10 CONNECTIONS=32
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SINGLES=${SINGLES:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18797}
OUT=${OUT:-bench/MEDIA.md}
BASE="http://127.0.0.1:$PORT"
log() { echo "[$(date +%T)] $*" >&2; }

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "bench/media.sh needs wrk (apt-get install wrk)" >&2
    exit 1
  fi
fi
VENV="$ROOT/target/bench-venv"
if ! "$VENV/bin/python" -c 'import PIL' 2>/dev/null; then
  log "installing Pillow into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'Pillow>=10,<12'
fi
PY="$VENV/bin/python"

log "building (release)"
cargo build --release -q
BIN="$ROOT/target/release/newsdesk"
WORK=$(mktemp -d /tmp/newsdesk-media.XXXXXX)
chmod 755 "$WORK"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && { kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

log "making photos"
"$PY" bench/media.py photos "$WORK/singles" "$SINGLES"
"$PY" bench/media.py photos "$WORK/ten" 10
BODY=$(stat -c %s "$WORK/ten/photo-00.jpg")

serve() {
  rm -rf "$WORK/data"
  env NEWSDESK_DATA_DIR="$WORK/data" NEWSDESK_BIND="127.0.0.1:$PORT" NEWSDESK_WRITE_LIMIT=0 \
    NEWSDESK_MEDIA_UPLOADS=2 RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 1000); do
    curl -sf "$BASE/readyz" >/dev/null && break
    sleep 0.02
  done
  local password
  password=$(grep -o 'password: [^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f2)
  TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@newsdesk.local\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
}
stop() { kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""; }
rss_mib() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }

log "one upload at a time, $SINGLES photos"
serve
IDLE=$(rss_mib)
: >"$WORK/singles.txt"
for f in "$WORK"/singles/*.jpg; do
  "$PY" bench/media.py one "$BASE" "$TOKEN" "$SERVER" "$f" | tee -a "$WORK/singles.txt" >&2
done
FIRST_PEAK=$(head -1 "$WORK/singles.txt" | awk '{printf "%.0f", $2 / 1024}')
WALL=$(awk '{print $1}' "$WORK/singles.txt" | sort -n | awk -v k="$(( (SINGLES + 1) / 2 ))" 'NR == k')
SINGLE_BODY=$(stat -c %s "$(ls "$WORK"/singles/*.jpg | head -1)")
MEDIA=$(awk '{print $4}' "$WORK/singles.txt" | head -1)
URL="$BASE/api/v1/media/$MEDIA"
curl -sf "$URL/variants/640" -o /dev/null
curl -sf "$URL" -o /dev/null
V640=$(curl -sf "$URL/variants/640" | wc -c)
V1280=$(curl -sf "$URL/variants/1280" | wc -c)
ORIG=$(curl -sf "$URL" | wc -c)
wrk_rate() { wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
log "variants warm"
R640=$(wrk_rate "$URL/variants/640")
R1280=$(wrk_rate "$URL/variants/1280")
RORIG=$(wrk_rate "$URL")
RHEALTH=$(wrk_rate "$BASE/healthz")
stop

log "ten uploads at once"
serve
TEN=$("$PY" bench/media.py many "$BASE" "$TOKEN" "$SERVER" "$WORK/ten")
echo "$TEN" >&2
stop
TEN_SECONDS=$(echo "$TEN" | cut -d' ' -f1)
TEN_PEAK=$(echo "$TEN" | awk '{printf "%.0f", $2 / 1024}')
TEN_STATUSES=$(echo "$TEN" | cut -d' ' -f3)
BOUND=$(awk -v b="$BODY" 'BEGIN {printf "%.0f", 2 * (2 * b + 4 * 4000 * 3000 + 16 * 1048576) / 1048576}')

{
  echo "# Photos: uploads, variants, memory ($(date -u +%F), $(nproc) cores, commit $(git rev-parse --short HEAD))"
  echo
  echo '`bench/media.sh` — release build, embedded PostgreSQL, demo data, `file:` media store; photos 4000 × 3000 JPEG (Pillow, quality 92, EXIF with GPS), each upload stored without its metadata with variants 320, 640 and 1280.'
  echo
  echo '| | |'
  echo '|---|---|'
  echo "| one 12 MP upload (${SINGLE_BODY} bytes), median of $SINGLES | ${WALL} s wall (stored + 3 variants) |"
  echo "| server RSS idle / peak growth of the first upload | ${IDLE} MiB / +${FIRST_PEAK} MiB |"
  echo "| 640 variant (${V640} bytes) served warm | ${R640} req/s |"
  echo "| 1280 variant (${V1280} bytes) served warm | ${R1280} req/s |"
  echo "| original (${ORIG} bytes) served | ${RORIG} req/s |"
  echo "| /healthz on the same server (reference) | ${RHEALTH} req/s |"
  echo "| ten 12 MP uploads at once (${BODY} bytes each), NEWSDESK_MEDIA_UPLOADS=2 | ${TEN_SECONDS} s, peak RSS growth +${TEN_PEAK} MiB (bound ${BOUND} MiB), statuses ${TEN_STATUSES} |"
  echo
  echo "wrk: 2 threads, $CONNECTIONS connections, ${SECONDS_PER_RUN} s each. The bound: 2 turns × (2 × body + 4 bytes × 12 000 000 pixels + 16 MiB)."
} | tee "$OUT"
