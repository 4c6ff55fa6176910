#!/usr/bin/env bash
# HTTP load on the delivery path: `content` over GraphQL at concurrency 32, loopback only,
# bounded in time. Builds the release binary, starts `vary serve --demo` on a temporary data dir,
# drives it with wrk (installed from Debian's packages when missing) and prints requests/s and
# latency percentiles: first as an app (a delivery key: every answer records an impression),
# then as an editor (a session: answers to other callers record nothing), so the difference is
# what impression recording costs.
#
#   benches/load.sh [DURATION_SECONDS]        (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
VARY_SKIP_UI_BUILD="${VARY_SKIP_UI_BUILD:-1}" cargo build --release --quiet

data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
log="$data/serve.log"
"${CARGO_TARGET_DIR:-target}/release/vary" serve --demo --data-dir "$data" --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.5
done
key=$(awk '$1 == "alpine" && $2 ~ /^vary_dk_/ { print $2 }' "$log")
[ -n "$key" ] || { echo "no delivery key in the demo output" >&2; cat "$log" >&2; exit 1; }

body="$data/content.json"
cat >"$body" <<'JSON'
{"query":"query($c: ContextInput) { content(brand: \"alpine\", key: \"home-hero\", context: $c) { variant { id name fields revision } reason servedId } }","variables":{"c":{"attributes":{"segment":"skier","tier":2}}}}
JSON
wrk_script() { # $1: bearer token
    cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $1"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
local file = io.open("$body")
wrk.body = file:read("*a")
file:close()
LUA
}
script="$data/content.lua"
wrk_script "$key" >"$script"
editor=$(curl -sf "http://127.0.0.1:$port/graphql" -H 'Content-Type: application/json' \
    --data '{"query":"mutation { login(email: \"editor@vary.demo\", password: \"vary-demo-2026\") { token } }"}' \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
[ -n "$editor" ] || { echo "the editor could not sign in" >&2; exit 1; }
editor_script="$data/content-editor.lua"
wrk_script "$editor" >"$editor_script"
# One request first, so a broken setup fails loudly instead of measuring error answers.
curl -sf "http://127.0.0.1:$port/graphql" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data-binary @"$body" | grep -q '"name":"Skiers: fresh powder"' || { echo "the content query failed" >&2; exit 1; }

measure() { # $1: script, $2: title
    wrk -t2 -c32 -d3s -s "$1" "http://127.0.0.1:$port/graphql" >/dev/null
    echo "$2"
    wrk -t2 -c32 -d"${duration}s" --latency -s "$1" "http://127.0.0.1:$port/graphql" \
        | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
}
echo "content over GraphQL, 32 connections, ${duration}s each, wrk and server on the same 2 cores"
measure "$script" "-- as an app (delivery key): every answer records an impression"
measure "$editor_script" "-- as an editor (session): nothing recorded"
impressions=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^vary_usage_events_written_total/ { print $2 }')
echo "impressions written during the run: ${impressions:-see /metrics}"
