#!/usr/bin/env bash
# Installs what SpanTune's end-to-end tests and `npm start` need: Debian packages (setup-system.sh:
# Chromium, the Vulkan loader, ripgrep, the Kerberos headers; apt, only when missing), then
# code-server (a real VS Code) and playwright-core into e2e/code-server from its own lock. Idempotent: a second run does nothing and takes ~0 s.
# Runs as root on a fresh CI machine; uses sudo for apt otherwise. Options go to setup-system.sh
# (--no-browser: npm start, which you open in your own browser, needs no Chromium).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pkg_dir="$root/e2e/code-server"
started=$(date +%s)
log() { echo "[setup-e2e] $*" >&2; }

# 1. System packages (chromium, libvulkan1, ripgrep, build tools), only when missing.
"$root/scripts/setup-system.sh" "$@"

# 2. code-server + playwright-core, rebuilt only when the lock changed.
entry="$pkg_dir/node_modules/code-server/out/node/entry.js"
stamp="$pkg_dir/node_modules/.spantune-installed"
lock_hash() { cat "$pkg_dir/package.json" "$pkg_dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1; }
if [[ -f "$entry" && -f "$stamp" && "$(cat "$stamp")" == "$(lock_hash || true)" ]]; then
  log "code-server already installed"
else
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this cached archive.
  tmp="${TMPDIR:-/tmp}"
  rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rg_cache"
  tar czf "$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

  log "installing code-server into e2e/code-server (native modules build; about a minute)"
  # unsafe_perm: root installs; yes: node-pty's postinstall runs `npx node-gyp`;
  # nodedir: node-gyp builds against the local headers instead of downloading them.
  install_cmd=(npm install --no-audit --no-fund)
  [[ -f "$pkg_dir/package-lock.json" ]] && install_cmd=(npm ci --no-audit --no-fund)
  (cd "$pkg_dir" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
    "${install_cmd[@]}" >"$pkg_dir/install.log" 2>&1) || {
    tail -40 "$pkg_dir/install.log" >&2
    log "code-server install failed (full log: e2e/code-server/install.log)"
    exit 1
  }
  [[ -f "$entry" ]] || { log "code-server entry point missing after install: $entry"; exit 1; }
  lock_hash >"$stamp"
fi

log "ready in $(( $(date +%s) - started )) s (chromium: $(command -v chromium || echo 'not needed'), code-server: $entry)"
