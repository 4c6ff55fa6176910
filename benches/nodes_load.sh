#!/usr/bin/env bash
# Two nodes under load: `content` over GraphQL with a delivery key against one node, then against
# two nodes on the same PostgreSQL database (half the connections each, at the same time), on
# the same machine (so both nodes and wrk share its cores). Prints total requests/s, p99 and the
# servers' CPU time per request for each, ROUNDS times alternating which goes first, then the
# medians. Builds the release binary; creates (and drops) a database on the PostgreSQL server at
# VARY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
#
#   benches/nodes_load.sh [DURATION_SECONDS] [ROUNDS]        (defaults 10 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/content_request.sh
duration="${1:-10}"
rounds="${2:-3}"
admin_url="${VARY_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
VARY_SKIP_UI_BUILD="${VARY_SKIP_UI_BUILD:-1}" cargo build --release --quiet
binary="${CARGO_TARGET_DIR:-target}/release/vary"
name="vary_nodes_load_$$"
psql -q "$admin_url" -c "CREATE DATABASE $name"
db_url="${admin_url%/*}/$name"
work=$(mktemp -d)
servers=()
cleanup() {
    for p in "${servers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

# start NAME [--demo]: a node on the shared database; sets $port and $pid.
start() {
    mkdir -p "$work/$1"
    port=$((20000 + RANDOM % 20000))
    VARY_DATABASE_URL="$db_url" "$binary" serve ${2:-} --data-dir "$work/$1" --bind "127.0.0.1:$port" >"$work/$1.log" 2>&1 &
    pid=$!
    servers+=("$pid")
    wait_ready "$port" 120 0.5
}
start a --demo
a_port=$port a_pid=$pid
key=$(demo_key "$work/a.log")
start b
b_port=$port b_pid=$pid
body="$work/content.json"
content_body "$body"
content_script "$work/a.lua" "$key" "$body" "$a_port"
content_script "$work/b.lua" "$key" "$body" "$b_port"

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.3f", n }'; }

# measure NAME CONNECTIONS PORT...: wrk on each port at once; appends "rps cpu p99" to NAME.runs.
measure() {
    local label=$1 connections=$2
    shift 2
    local before=$(( $(cpu_ticks "$a_pid") + $(cpu_ticks "$b_pid") ))
    local i=0 loads=()
    for p in "$@"; do
        wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/a.lua" "http://127.0.0.1:$p/graphql" >"$work/out.$i" &
        loads+=($!)
        i=$((i + 1))
    done
    wait "${loads[@]}"
    sleep 1.5
    local after=$(( $(cpu_ticks "$a_pid") + $(cpu_ticks "$b_pid") ))
    local rps=0 requests=0 p99=0
    for f in "$work"/out.*; do
        grep -q "Non-2xx" "$f" && { echo "error answers during the run" >&2; cat "$f" >&2; exit 1; }
        rps=$(awk -v s="$rps" '/Requests\/sec/ { print s + $2 }' "$f")
        requests=$(awk -v s="$requests" '/requests in/ { print s + $1 }' "$f")
        local q=$(ms "$(awk '$1 == "99%" { print $2 }' "$f")")
        p99=$(awk -v a="$p99" -v b="$q" 'BEGIN { print (b > a) ? b : a }')
    done
    rm -f "$work"/out.*
    local cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    printf '  %-9s %8.0f requests/s  p99 %7.2f ms  servers CPU %6s µs/request\n' "$label" "$rps" "$p99" "$cpu"
    echo "$rps $cpu $p99" >>"$work/$label.runs"
}

echo "content with a delivery key, 32 connections in all, ${duration}s per run, one PostgreSQL, all on this machine's cores"
wrk -t1 -c32 -d2s -s "$work/a.lua" "http://127.0.0.1:$a_port/graphql" >/dev/null
wrk -t1 -c32 -d2s -s "$work/a.lua" "http://127.0.0.1:$b_port/graphql" >/dev/null
for round in $(seq 1 "$rounds"); do
    echo "round $round"
    if [ $((round % 2)) -eq 1 ]; then
        measure one-node 32 "$a_port"
        measure two-nodes 16 "$a_port" "$b_port"
    else
        measure two-nodes 16 "$a_port" "$b_port"
        measure one-node 32 "$a_port"
    fi
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for label in one-node two-nodes; do
    printf 'median %-9s %8.0f requests/s  p99 %s ms  %s µs CPU/request\n' "$label" \
        "$(awk '{ print $1 }' "$work/$label.runs" | median)" \
        "$(awk '{ print $3 }' "$work/$label.runs" | median)" \
        "$(awk '{ print $2 }' "$work/$label.runs" | median)"
done
a_count=$(curl -sf "http://127.0.0.1:$a_port/metrics" | awk '/^vary_usage_index_events / { print $2 }')
b_count=$(curl -sf "http://127.0.0.1:$b_port/metrics" | awk '/^vary_usage_index_events / { print $2 }')
echo "usage index events after the runs: node a ${a_count:-?}, node b ${b_count:-?} (each counts both nodes' impressions)"
