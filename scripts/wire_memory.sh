#!/usr/bin/env bash
# Memory per stream entry as a client sees it: INFO memory used_memory
# before and after N pipelined XADDs, on `streamlab serve` and on a real
# redis-server, side by side (same input, same client, same moment).
#
#   scripts/wire_memory.sh [N]        (default 1000000; needs redis-server,
#                                      redis-cli and target/release/streamlab)
#
# Two workloads: `XADD s 1-<i> amount 50 user 123` (same millisecond, small
# fields) and five ten-byte values under six-byte names. The pipeline is
# sent with `redis-cli --pipe`, whose connection closes before the second
# reading, as a batch job's would.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SL_PORT=7491
RS_PORT=7492
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

target/release/streamlab serve --port "$SL_PORT" >/dev/null 2>&1 &
pids+=($!)
redis-server --port "$RS_PORT" --save '' --appendonly no >/dev/null 2>&1 &
pids+=($!)
for port in "$SL_PORT" "$RS_PORT"; do
    for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

used() { redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }

small() { awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "XADD small 1-%d amount 50 user 123\r\n", i }'; }
wide() {
    awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "XADD wide 1-%d field1 aaaaaaaaaa field2 bbbbbbbbbb field3 cccccccccc field4 dddddddddd field5 eeeeeeeeee\r\n", i }'
}
small >"$work/small.txt"
wide >"$work/wide.txt"

printf '%-34s %12s %12s %8s\n' "workload ($N entries)" "streamlab" "redis" "ratio"
for w in small wide; do
    declare -A per
    for port in "$SL_PORT" "$RS_PORT"; do
        before=$(used "$port")
        redis-cli -p "$port" --pipe <"$work/$w.txt" >/dev/null
        after=$(used "$port")
        per[$port]=$(awk -v a="$after" -v b="$before" -v n="$N" 'BEGIN { printf "%.2f", (a - b) / n }')
    done
    ratio=$(awk -v s="${per[$SL_PORT]}" -v r="${per[$RS_PORT]}" 'BEGIN { printf "%.3f", s / r }')
    printf '%-34s %10s B %10s B %8s\n' "$w" "${per[$SL_PORT]}" "${per[$RS_PORT]}" "${ratio}x"
    unset per
done
