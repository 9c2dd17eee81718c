#!/usr/bin/env bash
# Records tests/transcripts/NAME.out from a real redis-server 7.0.15.
#
#   scripts/record_transcripts.sh            every NAME.redis in tests/transcripts
#   scripts/record_transcripts.sh NAME ...   only these cases
#
# Each case runs as the oracle runner (../shared/oracle/run-oracle) replays
# it, so a recording and a replay see the same server state:
#
#   redis-cli FLUSHALL
#   [the case has a CONFIG SET line: stream-node-max-entries 100, -bytes 4096]
#   redis-cli --no-raw < NAME.redis > NAME.out
#   [again the two stream-node settings]
#
# Cases that change other settings restore them on their last line. A case
# that prints anything on stderr is refused. The server is started here on
# a free loopback port with no persistence, and stopped on exit.
#
# Environment: REDIS_SERVER / REDIS_CLI (the binaries; default on PATH).
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=tests/transcripts
SERVER=${REDIS_SERVER:-redis-server}
CLI=${REDIS_CLI:-redis-cli}

version=$("$SERVER" --version)
if [[ "$version" != *"v=7.0.15 "* ]]; then
    echo "refusing to record: $SERVER is not Redis 7.0.15 ($version)" >&2
    exit 2
fi

work=$(mktemp -d)
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=""
for _ in 1 2 3 4 5; do
    candidate=$((20000 + RANDOM % 20000))
    "$SERVER" --port "$candidate" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$work" >"$work/redis.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if "$CLI" -p "$candidate" PING 2>/dev/null | grep -q PONG; then
            port=$candidate
            break 2
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=""
done
if [[ -z "$port" ]]; then
    echo "redis-server did not start:" >&2
    cat "$work/redis.log" >&2
    exit 1
fi

reset_stream_nodes() {
    "$CLI" -p "$port" CONFIG SET stream-node-max-entries 100 >/dev/null
    "$CLI" -p "$port" CONFIG SET stream-node-max-bytes 4096 >/dev/null
}

if [[ $# -gt 0 ]]; then
    names=("$@")
else
    names=()
    for f in "$DIR"/*.redis; do
        names+=("$(basename "$f" .redis)")
    done
fi

for name in "${names[@]}"; do
    case_file="$DIR/$name.redis"
    [[ -f "$case_file" ]] || { echo "no $case_file" >&2; exit 2; }
    "$CLI" -p "$port" FLUSHALL >/dev/null
    touches_config=false
    grep -qiE '^[[:space:]]*config[[:space:]]+set\b' "$case_file" && touches_config=true
    $touches_config && reset_stream_nodes
    "$CLI" -p "$port" --no-raw <"$case_file" >"$work/out" 2>"$work/err"
    $touches_config && reset_stream_nodes
    if [[ -s "$work/err" ]]; then
        echo "refusing $name: redis-cli printed on stderr:" >&2
        cat "$work/err" >&2
        exit 1
    fi
    mv "$work/out" "$DIR/$name.out"
    echo "recorded $name"
done
echo "${#names[@]} recorded with $version"
