#!/usr/bin/env bash
# The real-browser tests (issue 4), alone: bash tests/browser/run.sh
# Installs what is missing, builds `sportello`, builds the site and a fixture,
# serves the site with `sportello serve`, runs `node --test`, stops the server
# and exits with the tests' status. Screenshots go to tests/browser/artifacts/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

# What the tests need: Debian's Chromium (never a browser download) and Java
# for vnu, then the npm packages from the lock file.
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
  echo "== installing java (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null
fi
if [ ! -f "$HERE/node_modules/.package-lock.json" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  echo "== npm ci"
  # --ignore-scripts: vnu-jar's postinstall would download a JDK; Java is on the machine.
  (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
fi

echo "== cargo build --release --bin sportello --bin sportello-forms"
cargo build --release --bin sportello --bin sportello-forms
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/sportello"
FORMS_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/sportello-forms"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sportello-browser.XXXXXX")"
SERVER_PID=""
TEST_PID=""
cleanup() {
  if [ -n "$TEST_PID" ] && kill -0 "$TEST_PID" 2>/dev/null; then
    kill "$TEST_PID" 2>/dev/null || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

echo "== building the site and the fallback fixture"
"$BIN" build --content content --themes themes --out "$TMP/public"
"$BIN" build --content "$HERE/fixtures/fallback-site" --themes themes --out "$TMP/fixture"

# An operator account for the inbox test (tests/desk.test.js).
export SPORTELLO_DESK_USER=tester
export SPORTELLO_DESK_PASSWORD="browser test password $RANDOM$RANDOM"
printf '%s\n' "$SPORTELLO_DESK_PASSWORD" | "$FORMS_BIN" operator add "$SPORTELLO_DESK_USER" --queue "$TMP/queue.jsonl" >/dev/null

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
echo "== sportello serve on 127.0.0.1:$PORT"
"$BIN" serve --content content --themes themes --out "$TMP/public" \
  --listen "127.0.0.1:$PORT" --queue "$TMP/queue.jsonl" --no-drafts --no-live-reload >"$TMP/serve.log" 2>&1 &
SERVER_PID=$!
answers() { node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$PORT/it/"; }
for _ in $(seq 1 300); do
  if answers; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "sportello serve exited:"; cat "$TMP/serve.log"; exit 1
  fi
  sleep 0.2
done
answers || { echo "sportello serve does not answer"; cat "$TMP/serve.log"; exit 1; }

mkdir -p "$HERE/artifacts"
export SPORTELLO_URL="http://127.0.0.1:$PORT"
export SPORTELLO_SITE="$TMP/public"
export SPORTELLO_QUEUE="$TMP/queue.jsonl"
export SPORTELLO_FIXTURE_SITE="$TMP/fixture"
export SPORTELLO_ARTIFACTS="$HERE/artifacts"
export SPORTELLO_BIN="$BIN"
export SPORTELLO_FORMS_BIN="$FORMS_BIN"

echo "== node --test"
set +e
# Arguments, if any, pick test files: bash tests/browser/run.sh tests/form.test.js
if [ "$#" -gt 0 ]; then FILES=("$@"); else FILES=(tests/); fi
cd "$HERE"
# In the background and waited for, so that an interrupt stops it and the server at once.
# The limit applies to each file too: axe checks some 25 pages, 4–6 s each.
node --test --test-concurrency=2 --test-reporter=spec --test-timeout=300000 "${FILES[@]}" &
TEST_PID=$!
wait "$TEST_PID"
STATUS=$?
TEST_PID=""
set -e
if [ "$STATUS" -ne 0 ]; then
  echo "== server log (tail, rebuild lines left out)"; grep -v "^built " "$TMP/serve.log" | tail -n 40
fi
exit "$STATUS"
