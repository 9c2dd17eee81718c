#!/usr/bin/env bash
# How long a learner waits for the browser demo: headless Chromium (driven
# by playwright-core from the npm registry) opens web/dist/index.html and
# times navigation → the app's first frame (`<body data-started>`) and →
# the run explored to its end (`data-trace-hash`). Median of RUNS loads.
#
#   web/build.sh && web/first_frame.sh [SCENARIO] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SCENARIO=${1:-S02}
RUNS=${2:-5}
TOOLS=$ROOT/target/web-bench
if [[ ! -d "$TOOLS/node_modules/playwright-core" ]]; then
    npm install --silent --prefix "$TOOLS" playwright-core >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd web/dist && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
cat >"$TOOLS/first_frame.mjs" <<'JS'
import { chromium } from 'playwright-core';
import fs from 'fs'; import os from 'os'; import path from 'path';
const [url, runs] = [process.argv[2], Number(process.argv[3])];
const firsts = [], ends = [];
for (let i = 0; i < runs; i++) {
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'pw-')), {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = ctx.pages()[0];
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-started="1"]', { timeout: 60000 });
  firsts.push(Date.now() - t0);
  await page.waitForSelector('body[data-trace-hash]', { timeout: 120000 });
  ends.push(Date.now() - t0);
  await ctx.close();
}
const med = a => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`first frame: median ${med(firsts)} ms (${firsts.join(', ')}); run explored: median ${med(ends)} ms (${ends.join(', ')})`);
JS
NODE_PATH=$TOOLS/node_modules node "$TOOLS/first_frame.mjs" "http://127.0.0.1:$port/index.html?scenario=$SCENARIO" "$RUNS"
