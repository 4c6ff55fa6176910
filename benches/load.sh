#!/usr/bin/env bash
# HTTP load on the delivery path: `content` over GraphQL at concurrency 32, loopback only,
# bounded in time. Builds the release binary and starts two `vary serve --demo` servers on
# temporary data dirs: one as shipped (every answer to a delivery key records an impression) and
# one with `VARY_USAGE_RECORDING=false`. wrk (installed from Debian's packages when missing)
# drives them in turn, ROUNDS times each, with the same delivery-key request, and the script
# prints requests/s, latency percentiles and the server's CPU time per request for every run,
# then the medians: the difference between the two is what impression recording costs. Rounds
# alternate which server goes first (a shared VM drifts over minutes), each round prints its own
# difference, and the last line is the median of those: the figure least moved by one noisy run.
#
# With VARY_LOAD_BASELINE=PATH the second server is that other vary binary (an earlier build,
# recording too) instead: the same rounds then measure what a change gained.
#
# With VARY_LOAD_EXPERIMENT=1 both servers are this build, recording, and the request carries a
# userKey; on "experiment" a RUNNING FIXED experiment on the entry (everyone, two arms of 50: the
# skiers' variant and ranked) enrolls the person, on "none" there is none: the difference is what
# running an experiment costs delivery.
#
# With VARY_LOAD_KEY_RATE=N there is one server (recording) and the rounds alternate two delivery
# keys on it: "limited", made with `rateLimit: N` (set N far above what wrk reaches, so it is never
# exceeded), and "unlimited", the demo key: the difference is what checking a key's rate costs.
#
#   benches/load.sh [DURATION_SECONDS] [ROUNDS]        (defaults 15 and 3)
#   VARY_LOAD_BASELINE=/tmp/vary-before benches/load.sh 10 6
#   VARY_LOAD_KEY_RATE=1000000 benches/load.sh 10 6
#   VARY_LOAD_EXPERIMENT=1 benches/load.sh 10 6
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/content_request.sh
duration="${1:-15}"
rounds="${2:-3}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
VARY_SKIP_UI_BUILD="${VARY_SKIP_UI_BUILD:-1}" cargo build --release --quiet
binary="${CARGO_TARGET_DIR:-target}/release/vary"
if [ -n "${VARY_LOAD_KEY_RATE:-}" ]; then
    a=limited b=unlimited
elif [ -n "${VARY_LOAD_EXPERIMENT:-}" ]; then
    a=experiment b=none b_binary="$binary" b_recording=true
elif [ -n "${VARY_LOAD_BASELINE:-}" ]; then
    [ -x "$VARY_LOAD_BASELINE" ] || { echo "VARY_LOAD_BASELINE: $VARY_LOAD_BASELINE is not an executable" >&2; exit 2; }
    a=this b=baseline b_binary="$VARY_LOAD_BASELINE" b_recording=true
else
    a=recording b=off b_binary="$binary" b_recording=false
fi
work=$(mktemp -d)
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

# start NAME RECORDING BINARY: a demo server; sets $port, $pid and $key.
start() {
    mkdir -p "$work/$1"
    port=$((20000 + RANDOM % 20000))
    VARY_USAGE_RECORDING="$2" "$3" serve --demo --data-dir "$work/$1" --bind "127.0.0.1:$port" >"$work/$1.log" 2>&1 &
    pid=$!
    servers+=("$pid")
    wait_ready "$port" 60 0.5
    key=$(demo_key "$work/$1.log")
}

body="$work/content.json"
content_body "$body"
[ -z "${VARY_LOAD_EXPERIMENT:-}" ] || sed -i 's/"tier":2}/"tier":2},"userKey":"bench-person-1"/' "$body"
# script NAME: a wrk script posting the request with NAME's delivery key.
script() {
    content_script "$work/$1.lua" "$key" "$body" "$port"
}

if [ -n "${VARY_LOAD_KEY_RATE:-}" ]; then
    start "$b" true "$binary"
    b_port=$port b_pid=$pid a_port=$port a_pid=$pid
    script "$b"
    key=$(limited_key "$port" "$VARY_LOAD_KEY_RATE")
    script "$a"
else
    start "$a" true "$binary"
    a_port=$port a_pid=$pid
    [ -z "${VARY_LOAD_EXPERIMENT:-}" ] || running_experiment "$port"
    script "$a"
    start "$b" "$b_recording" "$b_binary"
    b_port=$port b_pid=$pid
    script "$b"
fi

# The server's CPU time (user + system, all threads, in clock ticks) so far.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# run NAME PORT PID: one measured run; appends "requests/s cpu-µs-per-request p99-ms" to NAME.runs.
run() {
    wrk -t2 -c32 -d2s -s "$work/$1.lua" "http://127.0.0.1:$2/graphql" >/dev/null
    sleep 1.2 # the warm-up's impressions are written and indexed before the measured run
    local before out after requests rps p50 p99 cpu
    before=$(cpu_ticks "$3")
    out=$(wrk -t2 -c32 -d"${duration}s" --latency -s "$work/$1.lua" "http://127.0.0.1:$2/graphql")
    sleep 1.2 # the run's impressions are written and indexed: their cost is counted
    after=$(cpu_ticks "$3")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    # wrk prints latencies as 812.00us, 4.81ms or 1.02s: one unit, milliseconds, for the medians.
    p99=$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.3f", n }')
    grep -q "Non-2xx" <<<"$out" && { echo "$1: error answers during the run" >&2; exit 1; }
    cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$ticks_per_second" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    printf '  %-10s %9.0f requests/s  p50 %-8s p99 %6.2fms  server CPU %5s µs/request\n' "$1" "$rps" "$p50" "$p99" "$cpu"
    echo "$rps $cpu $p99" >>"$work/$1.runs"
}

echo "content over GraphQL with a delivery key, 32 connections, ${duration}s per run, wrk and servers on the same cores"
if [ "$a" = recording ]; then
    echo "(recording: every answer records an impression; off: VARY_USAGE_RECORDING=false)"
elif [ "$a" = experiment ]; then
    echo "(both recording, with a userKey; experiment: a RUNNING FIXED experiment enrolls the person; none: no experiment)"
elif [ "$a" = limited ]; then
    echo "(one server, recording; limited: a key with rateLimit $VARY_LOAD_KEY_RATE, never exceeded; unlimited: the demo key)"
else
    echo "(this: the build here; baseline: $VARY_LOAD_BASELINE; both record impressions)"
fi
for round in $(seq 1 "$rounds"); do
    echo "round $round"
    if [ $((round % 2)) -eq 1 ]; then
        run "$a" "$a_port" "$a_pid"
        run "$b" "$b_port" "$b_pid"
    else
        run "$b" "$b_port" "$b_pid"
        run "$a" "$a_port" "$a_pid"
    fi
    cost=$(awk -v r="$(tail -1 "$work/$a.runs" | cut -d' ' -f1)" -v o="$(tail -1 "$work/$b.runs" | cut -d' ' -f1)" \
        'BEGIN { printf "%+.1f", (r / o - 1) * 100 }')
    echo "$cost" >>"$work/costs"
    echo "  this round: $a $cost % throughput against $b"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
a_rps=$(awk '{ print $1 }' "$work/$a.runs" | median)
b_rps=$(awk '{ print $1 }' "$work/$b.runs" | median)
a_cpu=$(awk '{ print $2 }' "$work/$a.runs" | median)
b_cpu=$(awk '{ print $2 }' "$work/$b.runs" | median)
a_p99=$(awk '{ print $3 }' "$work/$a.runs" | median)
b_p99=$(awk '{ print $3 }' "$work/$b.runs" | median)
awk -v a="$a" -v b="$b" -v ar="$a_rps" -v br="$b_rps" -v ac="$a_cpu" -v bc="$b_cpu" -v ap="$a_p99" -v bp="$b_p99" 'BEGIN {
    printf "medians: %s %.0f requests/s (p99 %s ms, %.1f µs CPU/request); %s %.0f requests/s (p99 %s ms, %.1f µs CPU/request)\n", a, ar, ap, ac, b, br, bp, bc
    printf "%s: %+.1f %% throughput and %+.1f %% server CPU per request against %s\n", a, (ar / br - 1) * 100, (ac / bc - 1) * 100, b
}'
echo "median of the rounds' own figures: $a $(median <"$work/costs" | awk '{ printf "%+.2f", $1 }') % throughput against $b"
impressions=$(curl -sf "http://127.0.0.1:$a_port/metrics" | awk '/^vary_usage_events_written_total/ { print $2 }')
echo "impressions written by the $a server: ${impressions:-see /metrics}"
