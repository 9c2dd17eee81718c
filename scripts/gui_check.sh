#!/usr/bin/env bash
# The explorer seen from outside, as a learner meets it:
#
#   native  Xvfb ── target/release/streamlab (no arguments) ── screenshot: a window that draws
#   web     web/dist served on loopback ── headless Chromium ── for S01, S02, S08 at step=end,
#           and a branch of S01 given by its link (a what-if change and a crash):
#           <body data-trace-hash> == `streamlab run FILE|LINK --json`'s trace_hash,
#           a screenshot that is not one colour, no error in the console
#
#   scripts/gui_check.sh native|web [OUT_DIR]
# Screenshots are left in OUT_DIR (default target/gui-check) to look at.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MODE=${1:?native or web}
OUT=${2:-$ROOT/target/gui-check}
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT

# Distinct colours in a PNG (ImageMagick).
colours() { convert "$1" -format %k info: 2>/dev/null || echo 0; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

native_check() {
    local display=":$((90 + RANDOM % 100))"
    Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
    pids+=($!)
    sleep 1
    DISPLAY=$display XDG_RUNTIME_DIR=$(mktemp -d) "$ROOT/target/release/streamlab" >"$OUT/native.out" 2>&1 &
    local app=$!
    pids+=($app)
    sleep 8
    if ! kill -0 "$app" 2>/dev/null; then
        echo "native: the explorer exited instead of showing a window:"; cat "$OUT/native.out"; return 1
    fi
    DISPLAY=$display import -window root "$OUT/native.png"
    local n; n=$(colours "$OUT/native.png")
    echo "native: window up, screenshot $OUT/native.png has $n colours"
    if grep -q "no display" "$OUT/native.out"; then echo "native: fell back to the terminal"; return 1; fi
    [[ "$n" -gt 16 ]]
}

web_check() {
    local port; port=$(free_port)
    (cd "$ROOT/web/dist" && exec python3 -m http.server "$port" --bind 127.0.0.1) >"$OUT/http.log" 2>&1 &
    pids+=($!)
    sleep 1
    local failed=0
    # A branch made in the explorer, as its copied link carries it: a
    # what-if change, then a crash at step 40 (view::link's format).
    local branch='scenario=S01&set=reaper.min_idle_ms%3A5000&act=40%3AFault%28CrashActor%28%22c2%22%29%29'
    for id in S01 S02 S08 S01-branch; do
        local query="scenario=$id&step=end" want
        if [[ "$id" == S01-branch ]]; then
            query="$branch&step=end"
            want=$("$ROOT/target/release/streamlab" run "?$branch" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trace_hash"])')
        else
            local file; file=$(ls "$ROOT"/scenarios/"$(echo "$id" | tr 'A-Z' 'a-z')"_*.ron | head -n1)
            want=$("$ROOT/target/release/streamlab" run "$file" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["trace_hash"])')
        fi
        local url="http://127.0.0.1:$port/index.html?$query"
        local profile; profile=$(mktemp -d)
        local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
            --disable-background-networking --disable-component-update --disable-sync
            --user-data-dir="$profile" --window-size=1280,800 --virtual-time-budget=60000
            --enable-logging=stderr --v=0)
        chromium "${flags[@]}" --dump-dom "$url" >"$OUT/$id.dom" 2>"$OUT/$id.console"
        local got; got=$(sed -n 's/.*data-trace-hash="\([0-9a-f]*\)".*/\1/p' "$OUT/$id.dom" | head -n1)
        local step; step=$(sed -n 's/.*data-step="\([0-9]*\)".*/\1/p' "$OUT/$id.dom" | head -n1)
        profile=$(mktemp -d)
        chromium "${flags[@]/--user-data-dir=*/--user-data-dir=$profile}" --screenshot="$OUT/web-$id.png" "$url" >/dev/null 2>>"$OUT/$id.console"
        local n; n=$(colours "$OUT/web-$id.png")
        local errors; errors=$(grep -E 'ERROR:CONSOLE|Uncaught|panicked' "$OUT/$id.console" || true)
        if [[ "$id" == S01-branch ]] && ! grep -q 'data-branch="1"' "$OUT/$id.dom"; then
            errors="the page does not say it shows a branch (data-branch)"
        fi
        if [[ "$got" == "$want" && -n "$want" && "$n" -gt 16 && -z "$errors" ]]; then
            echo "web $id: trace hash $got = native, at step $step; screenshot $n colours"
        else
            echo "web $id: FAILED: page hash '$got' (step '$step'), native '$want', screenshot $n colours"
            [[ -n "$errors" ]] && echo "$errors"
            failed=1
        fi
    done
    return $failed
}

case "$MODE" in
    native) native_check ;;
    web) web_check ;;
    *) echo "usage: $0 native|web [OUT_DIR]" >&2; exit 2 ;;
esac
