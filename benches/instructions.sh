#!/usr/bin/env bash
# Instructions per `content` request: a figure the shared machine's changing speed cannot move.
# Runs `vary serve --demo` under valgrind's callgrind (recording off, so the figure is the
# request path alone: HTTP, GraphQL, resolution), warms it up, zeroes the counters, sends
# SECONDS of the same delivery-key request as benches/load.sh with wrk at concurrency 4, and
# prints the user-space instructions of all the server's threads divided by the requests
# answered. Give binaries to compare builds (an earlier one copied aside, say); the default is
# this checkout's release build. valgrind and wrk are installed from Debian's packages if missing.
#
# With VARY_KEY_RATE=N the request carries a new key made with `rateLimit: N` instead of the demo
# key (N far above the rate reached, so the limit is checked and never exceeded).
# With VARY_TYPED=1 the same server then measures the same hero through typed delivery
# (`POST /delivery/alpine/graphql`, `hero(key, context)` asking for the same fields), and the
# script prints typed against generic in instructions per request.
#
#   benches/instructions.sh [SECONDS] [BINARY ...]        (default 8 seconds)
#   VARY_KEY_RATE=1000000 benches/instructions.sh 8
#   VARY_TYPED=1 benches/instructions.sh 8
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/content_request.sh
duration="${1:-8}"
shift || true
binaries=("$@")
if [ ${#binaries[@]} -eq 0 ]; then
    VARY_SKIP_UI_BUILD="${VARY_SKIP_UI_BUILD:-1}" cargo build --release --quiet
    binaries=("${CARGO_TARGET_DIR:-target}/release/vary")
fi
missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
content_body "$work/content.json"

# typed_body FILE: the `content` request's hero and fields through typed delivery.
typed_body() {
    cat >"$1" <<'JSON'
{"query":"query($c: ContextInput) { hero(key: \"home-hero\", context: $c) { variant { id name title body { markdown } cta link revision } reason servedId } }","variables":{"c":{"attributes":{"segment":"skier","tier":2}}}}
JSON
}

# measure LUA PATH DUMP: warms up, zeroes the counters, runs wrk with LUA on PATH and prints
# "requests instructions" (DUMP: the number of this dump of the server's run).
measure() {
    wrk -t1 -c4 -d3s -s "$1" "http://127.0.0.1:$port$2" >/dev/null # warm up
    sleep 1
    callgrind_control --zero "$server" >/dev/null 2>&1
    local out requests instructions
    out=$(wrk -t1 -c4 -d"${duration}s" -s "$1" "http://127.0.0.1:$port$2")
    grep -q "Non-2xx" <<<"$out" && { echo "error answers during the run" >&2; exit 1; }
    sleep 1
    callgrind_control --dump "$server" >/dev/null 2>&1
    sleep 1
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    instructions=$(cat "$run/callgrind.out.$3" 2>/dev/null | awk '/^summary:/ { s += $2 } END { print s + 0 }')
    echo "$requests $instructions"
}

# report NAME "REQUESTS INSTRUCTIONS"
report() {
    awk -v b="$1" -v m="$2" 'BEGIN {
        split(m, v, " ")
        printf "%s: %d requests, %.0f instructions per request\n", b, v[1], (v[1] > 0 ? v[2] / v[1] : 0)
    }'
}

for binary in "${binaries[@]}"; do
    run="$work/run"
    rm -rf "$run" && mkdir -p "$run"
    port=$((20000 + RANDOM % 20000))
    VARY_USAGE_RECORDING=false valgrind --tool=callgrind --callgrind-out-file="$run/callgrind.out" \
        "$binary" serve --demo --data-dir "$run/data" --bind "127.0.0.1:$port" >"$run/log" 2>&1 &
    server=$!
    wait_ready "$port" 300 1
    key=$(demo_key "$run/log")
    if [ -n "${VARY_KEY_RATE:-}" ]; then
        key=$(limited_key "$port" "$VARY_KEY_RATE")
    fi
    content_script "$run/content.lua" "$key" "$work/content.json" "$port"
    generic=$(measure "$run/content.lua" /graphql 1)
    report "$binary" "$generic"
    if [ -n "${VARY_TYPED:-}" ]; then
        typed_body "$work/typed.json"
        sed "s#$work/content.json#$work/typed.json#" "$run/content.lua" >"$run/typed.lua"
        curl -sf "http://127.0.0.1:$port/delivery/alpine/graphql" -H "Authorization: Bearer $key" \
            -H 'Content-Type: application/json' --data-binary @"$work/typed.json" |
            grep -q '"name":"Skiers: fresh powder"' || { echo "the typed query failed" >&2; exit 1; }
        typed=$(measure "$run/typed.lua" /delivery/alpine/graphql 2)
        report "$binary (typed)" "$typed"
        awk -v g="$generic" -v t="$typed" 'BEGIN {
            split(g, a, " "); split(t, b, " ")
            printf "typed delivery: %.1f %% of generic throughput by instructions per request\n", (a[2] / a[1]) / (b[2] / b[1]) * 100
        }'
    fi
    kill "$server" && wait "$server" 2>/dev/null || true
    server=""
done
