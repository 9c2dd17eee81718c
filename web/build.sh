#!/usr/bin/env bash
# Builds the browser demo into web/dist/: the explorer compiled to wasm32,
# bound with wasm-bindgen-cli (exactly the Cargo.lock version), optionally
# shrunk with wasm-opt, beside index.html. Installs what is missing.
#
#   web/build.sh                 build web/dist/
#   WASM_OPT=1 web/build.sh      also run wasm-opt -Oz (when wasm-opt is on PATH)
#   web/build.sh --serve [PORT]  build, then serve web/dist on 127.0.0.1:PORT (default 8765)
#
# No trunk: it downloads its tools at build time, which this setup cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=$ROOT/web/dist
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if [[ -z "$version" ]]; then
    echo "web/build.sh: no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]]; then
    echo "installing wasm-bindgen-cli $version (the Cargo.lock version; takes a few minutes once)"
    # Without --locked: the CLI's own lockfile pins a crate version the
    # registry no longer serves.
    cargo install wasm-bindgen-cli --version "$version"
fi

cargo rustc --lib --profile web --target wasm32-unknown-unknown --crate-type cdylib
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-dir "$DIST" --out-name streamlab \
    "$TARGET_DIR/wasm32-unknown-unknown/web/streamlab.wasm"
if [[ "${WASM_OPT:-0}" == "1" ]] && command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals -o "$DIST/streamlab_bg.wasm" "$DIST/streamlab_bg.wasm"
fi
cp "$ROOT/index.html" "$DIST/index.html"

raw=$(stat -c %s "$DIST/streamlab_bg.wasm")
gz=$(gzip -9 -c "$DIST/streamlab_bg.wasm" | wc -c)
echo "web/dist ready: streamlab_bg.wasm $raw bytes, $gz bytes gzipped"

if [[ "${1:-}" == "--serve" ]]; then
    port=${2:-8765}
    echo "serving http://127.0.0.1:$port/index.html?scenario=S02 (Ctrl-C stops)"
    cd "$DIST" && exec python3 -m http.server "$port" --bind 127.0.0.1
fi
