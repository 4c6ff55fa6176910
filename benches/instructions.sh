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
#
#   benches/instructions.sh [SECONDS] [BINARY ...]        (default 8 seconds)
#   VARY_KEY_RATE=1000000 benches/instructions.sh 8
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
    wrk -t1 -c4 -d3s -s "$run/content.lua" "http://127.0.0.1:$port/graphql" >/dev/null # warm up
    sleep 1
    callgrind_control --zero "$server" >/dev/null 2>&1
    out=$(wrk -t1 -c4 -d"${duration}s" -s "$run/content.lua" "http://127.0.0.1:$port/graphql")
    grep -q "Non-2xx" <<<"$out" && { echo "error answers during the run" >&2; exit 1; }
    sleep 1
    callgrind_control --dump "$server" >/dev/null 2>&1
    sleep 1
    kill "$server" && wait "$server" 2>/dev/null || true
    server=""
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    instructions=$(cat "$run/callgrind.out.1" 2>/dev/null | awk '/^summary:/ { s += $2 } END { print s + 0 }')
    awk -v b="$binary" -v r="$requests" -v i="$instructions" \
        'BEGIN { printf "%s: %d requests, %.0f instructions per request\n", b, r, (r > 0 ? i / r : 0) }'
done
