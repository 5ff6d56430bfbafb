#!/usr/bin/env bash
# Builds the production bundles and packages the extension as .e2e/spantune.vsix (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.e2e/spantune.vsix}"
mkdir -p "$(dirname "$out")"
node esbuild.mjs --production >/dev/null
# --no-dependencies: everything the extension runs is bundled into dist/.
npx vsce package --no-dependencies --skip-license --out "$out" >/dev/null
echo "$out"
