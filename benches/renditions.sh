#!/usr/bin/env bash
# Makes the same eight renditions of the same 3000x2000 JPEG with Vary and with sharp, on one
# thread each, and prints both figures. Needs node and npm (sharp comes from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
export VARY_BENCH_INPUT="$target/renditions-input.jpg"
VARY_SKIP_UI_BUILD=1 cargo bench --bench renditions 2>&1 | tee "$target/renditions-bench.log" | grep -E "time:|thrpt:"
(cd benches/sharp && { [ -d node_modules/sharp ] || npm ci --no-audit --no-fund --silent; })
sharp_line=$(cd benches/sharp && UV_THREADPOOL_SIZE=1 node renditions.mjs "$VARY_BENCH_INPUT")
echo
grep "renditions/s" "$target/renditions-bench.log"
echo "$sharp_line"
