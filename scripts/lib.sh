# Shared by scripts/demo and scripts/test: install what the build needs, once, and build the
# browser side of the wall. Everything comes from the package registries; nothing downloads
# binaries of its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (have: ${have:-none})"
    # Not --locked: its lock file pins a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# wasm-opt from the npm package binaryen, pinned in scripts/package-lock.json: it is binaryen
# compiled to wasm and run by node, so nothing is downloaded at run time. Debian's wasm-opt
# (108) silently breaks this wasm (the page never hydrates): never fall back to it.
WASM_OPT="$ROOT/scripts/node_modules/.bin/wasm-opt"
ensure_wasm_opt() {
  if [ ! -x "$WASM_OPT" ]; then
    say "installing wasm-opt (npm binaryen, pinned)"
    (cd scripts && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# build_wall dev|release: the hydrate crate to wasm, then wasm-bindgen into target/site/pkg;
# release builds are then shrunk with wasm-opt -Oz (dev builds skip it to stay fast).
build_wall() {
  local profile="${1:-dev}" dir
  local cargo_target="${CARGO_TARGET_DIR:-target}"
  ensure_wasm_target
  ensure_wasm_bindgen
  case "$profile" in
    dev) dir=debug ;;
    release) profile=wasm-release; dir=wasm-release; ensure_wasm_opt ;;
    *) echo "build_wall: unknown profile $profile" >&2; return 2 ;;
  esac
  say "building the wall (wasm, $profile)"
  cargo build -p hangar-wall --lib --target wasm32-unknown-unknown --profile "$profile"
  rm -rf target/site/pkg
  wasm-bindgen --target web --no-typescript --out-dir target/site/pkg --out-name hangar_wall \
    "$cargo_target/wasm32-unknown-unknown/$dir/hangar_wall.wasm"
  if [ "$profile" = wasm-release ]; then
    local wasm=target/site/pkg/hangar_wall_bg.wasm before
    before=$(stat -c %s "$wasm")
    # The features rustc's wasm32 target emits by default; wasm-opt must be told to keep them.
    "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    say "wasm-opt -Oz: $before -> $(stat -c %s "$wasm") bytes"
  fi
}

# Chromium for the browser tests, and CJK fonts so zh-CN screens render as people see them.
ensure_chromium() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing from Debian: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

PG_URL="${HANGAR_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# The PostgreSQL tests never skip: no server, no green run.
require_postgres() {
  if ! psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable at $PG_URL; the store tests need it (set HANGAR_TEST_PG_URL)." >&2
    exit 1
  fi
  # Databases left by tests that died before cleaning up.
  psql "$PG_URL" -Atqc "select datname from pg_database where datname like 'hangar\_t\_%'" |
    while read -r db; do psql "$PG_URL" -qc "drop database if exists \"$db\" with (force)" >/dev/null; done
}

ensure_browser_deps() {
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    say "installing the browser test driver (playwright-core, no browser download)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
