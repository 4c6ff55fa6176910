#!/usr/bin/env bash
# HTTP load on references and typed delivery, at concurrency 32, recording on (every answer to a
# delivery key records its impression). Builds the release binary, starts one `vary serve --demo`
# on a temporary data dir and seeds it (benches/page_seed.py): a page entry whose list field
# references 10 cards of 10 published variants each. wrk then drives, ROUNDS times each:
#   page     `content` of the page with `references { resolved { … } }`: 11 answers a request
#   generic  `content` of one card (for a skier) over /graphql
#   typed    the same card through `/delivery/alpine/graphql` (`card(key, context)`)
# and the script prints requests/s and p99 for every run, then the medians, the page rate in
# resolutions/s, and typed against generic. wrk and the server share the cores; on a shared
# machine the figures move with its load.
#
# VARY_BENCH_BINARY=PATH measures that binary instead of building the release one.
#
#   benches/page_load.sh [DURATION_SECONDS] [ROUNDS]        (defaults 10 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/content_request.sh
duration="${1:-10}"
rounds="${2:-3}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [ -n "${VARY_BENCH_BINARY:-}" ]; then
    binary="$VARY_BENCH_BINARY"
else
    VARY_SKIP_UI_BUILD="${VARY_SKIP_UI_BUILD:-1}" cargo build --release --quiet
    binary="${CARGO_TARGET_DIR:-target}/release/vary"
fi
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }; rm -rf "$work"' EXIT

port=$((20000 + RANDOM % 20000))
"$binary" serve --demo --data-dir "$work/data" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
wait_ready "$port" 60 0.5
key=$(python3 benches/page_seed.py "$port")

ctx='"c":{"attributes":{"segment":"segment-4","tier":1}}'
cat >"$work/page.json" <<JSON
{"query":"query(\$c: ContextInput) { content(brand: \"alpine\", key: \"page\", context: \$c) { key servedId variant { id fields } references { field index resolved { key servedId reason variant { id name fields } } } } }","variables":{$ctx}}
JSON
cat >"$work/generic.json" <<JSON
{"query":"query(\$c: ContextInput) { content(brand: \"alpine\", key: \"card-3\", context: \$c) { key servedId reason variant { id name fields } } }","variables":{$ctx}}
JSON
cat >"$work/typed.json" <<JSON
{"query":"query(\$c: ContextInput) { card(key: \"card-3\", context: \$c) { key servedId reason variant { id name title body { markdown } } } }","variables":{$ctx}}
JSON

# lua NAME: a wrk script posting NAME.json with the key.
lua() {
    cat >"$work/$1.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local file = io.open("$work/$1.json")
wrk.body = file:read("*a")
file:close()
LUA
}
for name in page generic typed; do lua "$name"; done
check() {
    curl -sf "http://127.0.0.1:$port$2" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        --data-binary @"$work/$1.json" | grep -q "$3" || { echo "the $1 query failed" >&2; exit 1; }
}
check page /graphql '"card 9 for segment 4"'
check generic /graphql '"card 3 for segment 4"'
check typed /delivery/alpine/graphql '"card 3 for segment 4"'

# run NAME PATH: one measured run, appending "requests/s p99-ms" to NAME.runs.
run() {
    wrk -t2 -c32 -d2s -s "$work/$1.lua" "http://127.0.0.1:$port$2" >/dev/null
    local out rps p99
    out=$(wrk -t2 -c32 -d"${duration}s" --latency -s "$work/$1.lua" "http://127.0.0.1:$port$2")
    grep -q "Non-2xx" <<<"$out" && { echo "$1: error answers during the run" >&2; exit 1; }
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    p99=$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.3f", n }')
    printf '  %-8s %9.0f requests/s  p99 %7.2f ms\n' "$1" "$rps" "$p99"
    echo "$rps $p99" >>"$work/$1.runs"
}
echo "32 connections, ${duration}s per run, recording on, wrk and the server on the same (shared) cores"
for round in $(seq 1 "$rounds"); do
    echo "round $round"
    run page /graphql
    run generic /graphql
    run typed /delivery/alpine/graphql
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for name in page generic typed; do
    eval "${name}_rps=$(awk '{ print $1 }' "$work/$name.runs" | median)"
    eval "${name}_p99=$(awk '{ print $2 }' "$work/$name.runs" | median)"
done
awk -v p="$page_rps" -v pp="$page_p99" -v g="$generic_rps" -v gp="$generic_p99" -v t="$typed_rps" -v tp="$typed_p99" 'BEGIN {
    printf "medians: page %.0f pages/s = %.0f resolutions/s (p99 %s ms); generic %.0f/s (p99 %s ms); typed %.0f/s (p99 %s ms)\n", p, p * 11, pp, g, gp, t, tp
    printf "typed delivery: %.1f %% of generic content throughput\n", t / g * 100
}'
