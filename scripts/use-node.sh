# Source this file (". scripts/use-node.sh") in every shell that works on Sundown.
# Sundown's server needs Node >= 24.7 (built-in crypto.argon2, node:sqlite). When the
# machine's Node is older, install Node 24 from the npm registry's `node` package into a
# cache folder once, and put it first on PATH.
sundown_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>24||(a===24&&b>=7)?0:1)' 2>/dev/null
}
if ! sundown_node_ok; then
  SUNDOWN_NODE_DIR="${SUNDOWN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sundown/node24}"
  if [ ! -x "$SUNDOWN_NODE_DIR/node_modules/.bin/node" ]; then
    echo "use-node: Node $(node --version 2>/dev/null || echo none) is too old; installing Node 24 into $SUNDOWN_NODE_DIR" >&2
    mkdir -p "$SUNDOWN_NODE_DIR"
    npm install --prefix "$SUNDOWN_NODE_DIR" --no-audit --no-fund node@24 >&2 || return 1 2>/dev/null || exit 1
  fi
  export PATH="$SUNDOWN_NODE_DIR/node_modules/.bin:$PATH"
  sundown_node_ok || { echo "use-node: could not provide Node >= 24.7" >&2; return 1 2>/dev/null || exit 1; }
fi
unset -f sundown_node_ok
