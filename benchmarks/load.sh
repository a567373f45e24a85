#!/usr/bin/env bash
# Load benchmark: Terbuka served as production serves it (uvicorn, 2 workers, PostgreSQL) with the
# Pontianak demo, driven by wrk on 127.0.0.1: dataset JSON (anonymous, and with a token), search with facets,
# a datastore query (each once on a URL asked again and again, once on a new URL every request) and a file
# download, DURATION seconds each (60 by default). Prints requests/s, p50/p99 latency, errors and the
# server's memory before and after each run beside the targets.
#   bash benchmarks/load.sh            # needs PostgreSQL on 127.0.0.1:5432 (user postgres) and wrk
#   DURATION=10 CONNECTIONS=32 bash benchmarks/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-8123}
PG=${PG:-postgresql+psycopg://postgres@127.0.0.1:5432}
DB=terbuka_load
BIN=.venv/bin
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
make -s install

work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
export TERBUKA_DATABASE_URL="$PG/$DB" TERBUKA_DATA_DIR="$work/var" TERBUKA_BASE_URL="$BASE"
# wrk's one address stands for many citizens: the per-client rate limit (tests/catalog/test_rate_limit.py) is off.
export TERBUKA_RATE_LIMIT_PER_MINUTE=0
$BIN/terbuka demo >/dev/null
$BIN/terbuka datastore sync >/dev/null  # what the worker does after publication
token=$($BIN/terbuka token create admin --read-only --name load-benchmark | tail -1)
$BIN/terbuka serve --host 127.0.0.1 --port "$PORT" --workers 2 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done

# Warm the worker processes' caches, as any server that has run for a minute has them.
first_dataset=$(curl -sf "$BASE/api/v1/datasets?per_page=1&sort=title" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
tabular=$(curl -sf "$BASE/api/v1/datasets?per_page=100&sort=title" | python3 -c 'import json,sys; print(" ".join(d["slug"] for d in json.load(sys.stdin)["items"]))')
for slug in $tabular; do
  curl -sf -o /dev/null "$BASE/api/v1/datasets/$slug/data?limit=1" && { table=$slug; break; }
done
download=$(curl -sf "$BASE/api/v1/datasets/$first_dataset/releases" | python3 -c '
import json, sys
for release in json.load(sys.stdin):
    for resource in release["resources"]:
        if resource["sha256"]:
            print(resource["download_url"].split("/api/", 1)[1]); raise SystemExit
')

rss_mib() {  # resident memory of the server and its workers, MiB
  ps -o rss= --ppid "$server" -p "$server" | awk '{s += $1} END {printf "%.0f", s / 1024}'
}

# Kept answers (catalog/api/kept_answers.py) serve a URL asked again within the second: the "-new" runs
# add a query parameter no route reads, different on every request, so that every request is computed.
cat >"$work/new.lua" <<'LUA'
local n, me = 0, tostring({}):match("0x(%x+)") or tostring(os.time())
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&new=" .. me .. "-" .. n)
end
LUA
declare -A targets=([dataset]="800 req/s" [signed-in]="-" [search]="300 req/s" [search-new]="300 req/s"
  [datastore]="-" [datastore-new]="-" [download]="-")
printf '%-13s %10s %9s %9s %7s %14s  %s\n' run req/s p50 p99 errors "memory MiB" target
run() {
  local name=$1 path=$2 header=${3:-X-Load: 1} script=()
  [[ $name == *-new ]] && script=(-s "$work/new.lua")
  if ! curl -sf -o /dev/null -H "$header" "$BASE$path"; then
    printf '%-13s %s\n' "$name" "not measured: $path does not answer 200"
    return
  fi
  for _ in $(seq 50); do curl -sf -o /dev/null -H "$header" "$BASE$path"; done
  local before out
  before=$(rss_mib)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" -H "$header" "$BASE$path")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
  printf '%-13s %10s %9s %9s %7s %6s → %-6s  %s\n' "$name" "$rps" "$p50" "$p99" "$errors" "$before" "$(rss_mib)" \
    "${targets[$name]}, p99 < 100 ms, 0 errors"
}

run dataset "/api/v1/datasets/$first_dataset"
# The same document for a reader with a token: never answered from the cache (catalog/services/public_cache.py).
run signed-in "/api/v1/datasets/$first_dataset" "Authorization: Bearer $token"
run search "/api/v1/search?q=penduduk+kecamatan&organization=disdukcapil&sort=relevance"
run search-new "/api/v1/search?q=penduduk+kecamatan&organization=disdukcapil&sort=relevance"
run datastore "/api/v1/datasets/${table:-none}/data?limit=100"
run datastore-new "/api/v1/datasets/${table:-none}/data?limit=100"
run download "/api/$download"
