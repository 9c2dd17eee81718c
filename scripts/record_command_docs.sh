#!/usr/bin/env bash
# Records src/engine/cmd/docs/command_docs.resp: the raw RESP2 reply of a
# real redis-server 7.0.15 to `COMMAND DOCS name ...` for every top-level
# command in the engine's table (src/engine/cmd/mod.rs). The engine answers
# COMMAND DOCS from it, keeping only the subcommands it has, and the
# console completes arguments from it.
#
#   scripts/record_command_docs.sh
#
# A unit test (engine::cmd::docs) fails when a command of the table has no
# recorded docs, which means: run this again.
#
# Environment: REDIS_SERVER (the binary; default on PATH).
set -euo pipefail

cd "$(dirname "$0")/.."
SERVER=${REDIS_SERVER:-redis-server}
OUT=src/engine/cmd/docs/command_docs.resp

version=$("$SERVER" --version)
if [[ "$version" != *"v=7.0.15 "* ]]; then
    echo "refusing to record: $SERVER is not Redis 7.0.15 ($version)" >&2
    exit 2
fi

# The table's top-level names: `spec("name", ...)` / `read("name", ...)`
# without a `|`, and the containers' own names.
mapfile -t names < <(
    {
        grep -oE '^\s*(spec|read)\("[a-z]+",' src/engine/cmd/mod.rs
        grep -oE '^\s*"[a-z]+",$' src/engine/cmd/mod.rs
    } | grep -oE '"[a-z]+"' | tr -d '"'
)
if ((${#names[@]} < 10)); then
    echo "found only ${#names[@]} command names in src/engine/cmd/mod.rs" >&2
    exit 1
fi

work=$(mktemp -d)
pid=""
cleanup() {
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
"$SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$work" >"$work/redis.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
done

# One request, COMMAND DOCS with every name, then QUIT; the reply is read
# to the connection's end and QUIT's +OK cut off.
# (printf -v: a command substitution would drop the trailing newline.)
printf -v request '*%d\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n' $((${#names[@]} + 2))
for n in "${names[@]}"; do
    printf -v part '$%d\r\n%s\r\n' "${#n}" "$n"
    request+=$part
done
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf '%s*1\r\n$4\r\nQUIT\r\n' "$request" >&3
cat <&3 >"$work/reply"
exec 3<&-
tail -c 5 "$work/reply" | grep -q '^+OK' || {
    echo "unexpected end of reply" >&2
    exit 1
}
head -c -5 "$work/reply" >"$OUT"
echo "recorded COMMAND DOCS of ${#names[@]} commands: $OUT ($(wc -c <"$OUT") bytes)"
