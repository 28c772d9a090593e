# Shared by bench/run.sh, bench/replica.sh and bench/status.sh (sourced from the project root).
#
#   bench_needs TOOL… PACKAGES   installs PACKAGES (as root) when a TOOL is missing
#   bench_binary                  BIN, or a release build's binary
#   bench_workdir NAME            WORK (a fresh directory under /tmp), DATA, SERVER; cleaned on exit
#   bench_corpus                  CORPUS (default $WORK/corpus), generated with N articles if missing
#   bench_import                  imports CORPUS into DATA; IMPORT_S its seconds

log() { echo "[$(date +%T)] $*" >&2; }

bench_needs() {
  local packages=${*: -1} missing=""
  for tool in "${@:1:$#-1}"; do command -v "$tool" >/dev/null || missing=1; done
  [ -z "$missing" ] && return
  if [ "$(id -u)" = 0 ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  else
    echo "$0 needs ${*:1:$#-1} (apt-get install $packages)" >&2
    exit 1
  fi
}

bench_binary() {
  if [ -z "${BIN:-}" ]; then
    log "building (release)"
    cargo build --release -q
    BIN="$(pwd)/target/release/newsdesk"
  fi
}

bench_workdir() {
  WORK=$(mktemp -d "/tmp/newsdesk-$1.XXXXXX")
  chmod 755 "$WORK"
  DATA="$WORK/data"
  SERVER=""
  trap bench_cleanup EXIT
}

# Stops the server if one runs, calls `bench_extra_cleanup` when the script defines it.
bench_cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup; fi
  rm -rf "$WORK"
}

bench_corpus() {
  CORPUS=${CORPUS:-$WORK/corpus}
  if [ ! -s "$CORPUS/articles.jsonl" ]; then
    log "generating $N articles"
    "$BIN" seed-demo --articles "$N" --out "$CORPUS" >&2
  fi
}

bench_import() {
  log "importing"
  local t0
  t0=$(date +%s.%N)
  NEWSDESK_DATA_DIR="$DATA" RUST_LOG=${IMPORT_LOG:-warn} "$BIN" import "$CORPUS" >&2
  IMPORT_S=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {print a - b}')
}
