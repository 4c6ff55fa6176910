# Shared by benches/load.sh and benches/instructions.sh (sourced, not run): the delivery request
# both measure, a demo server's delivery key, and a wrk script that sends the request with it.

# content_body FILE: writes the `content` request (alpine's home hero for a skier) to FILE.
content_body() {
    cat >"$1" <<'JSON'
{"query":"query($c: ContextInput) { content(brand: \"alpine\", key: \"home-hero\", context: $c) { variant { id name fields revision } reason servedId } }","variables":{"c":{"attributes":{"segment":"skier","tier":2}}}}
JSON
}

# wait_ready PORT TRIES PAUSE: waits until the server on PORT answers /readyz.
wait_ready() {
    for _ in $(seq 1 "$2"); do
        curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
        sleep "$3"
    done
}

# demo_key LOG: prints the alpine delivery key `vary serve --demo` logged; fails without one.
demo_key() {
    local key
    key=$(awk '$1 == "alpine" && $2 ~ /^vary_dk_/ { print $2 }' "$1")
    [ -n "$key" ] || { echo "no delivery key in the demo output" >&2; cat "$1" >&2; return 1; }
    echo "$key"
}

# content_script LUA KEY BODY PORT: writes a wrk script posting BODY with KEY, after one request
# that must answer the expected variant, so a broken setup fails loudly instead of measuring
# error answers.
content_script() {
    cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $2"
wrk.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
local file = io.open("$3")
wrk.body = file:read("*a")
file:close()
LUA
    curl -sf "http://127.0.0.1:$4/graphql" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
        --data-binary @"$3" | grep -q '"name":"Skiers: fresh powder"' || { echo "the content query failed" >&2; return 1; }
}

# limited_key PORT RATE: signs in as the demo admin and prints a new alpine delivery key limited
# to RATE answers per second (for measuring what checking a key's rate costs).
limited_key() {
    local session token
    session=$(curl -sf "http://127.0.0.1:$1/graphql" -H 'Content-Type: application/json' \
        --data-binary '{"query":"mutation { login(email: \"admin@vary.demo\", password: \"vary-demo-2026\") { token } }"}' |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$session" ] || { echo "could not sign in as the demo admin" >&2; return 1; }
    token=$(curl -sf "http://127.0.0.1:$1/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $session" \
        --data-binary "{\"query\":\"mutation { createDeliveryKey(brand: \\\"alpine\\\", name: \\\"bench-limited\\\", rateLimit: $2) { token } }\"}" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$token" ] || { echo "could not create a rate-limited key" >&2; return 1; }
    echo "$token"
}

# running_experiment PORT: signs in as the demo admin and starts a FIXED experiment on alpine's
# home hero for everyone: the skiers' variant against ranked, 50 % each.
running_experiment() {
    local session entry variant experiment gql
    gql() { curl -sf "http://127.0.0.1:$1/graphql" -H 'Content-Type: application/json' ${2:+-H "Authorization: Bearer $2"} --data-binary "$3"; }
    session=$(gql "$1" "" '{"query":"mutation { login(email: \"admin@vary.demo\", password: \"vary-demo-2026\") { token } }"}' |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
    [ -n "$session" ] || { echo "could not sign in as the demo admin" >&2; return 1; }
    local found
    found=$(gql "$1" "$session" '{"query":"{ entry(brand: \"alpine\", key: \"home-hero\") { id variants { id name } } }"}')
    entry=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["entry"]["id"])' <<<"$found")
    variant=$(python3 -c 'import json,sys; print([v["id"] for v in json.load(sys.stdin)["data"]["entry"]["variants"] if v["name"] == "Skiers: fresh powder"][0])' <<<"$found")
    experiment=$(gql "$1" "$session" "{\"query\":\"mutation { createExperiment(input: {entryId: \\\"$entry\\\", name: \\\"bench\\\", goal: CLICK, arms: [{name: \\\"skiers\\\", variant: \\\"$variant\\\", weight: 50}, {name: \\\"ranked\\\", ranked: true, weight: 50}]}) { id } }\"}" |
        sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [ -n "$experiment" ] || { echo "could not create the experiment" >&2; return 1; }
    gql "$1" "$session" "{\"query\":\"mutation { startExperiment(id: \\\"$experiment\\\") { status } }\"}" | grep -q RUNNING ||
        { echo "could not start the experiment" >&2; return 1; }
}
