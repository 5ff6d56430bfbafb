#!/usr/bin/env bash
# Builds the production bundles and packages the extension for one platform: the .vsix carries only
# that platform's ONNX Runtime binaries (scripts/stage-runtime.mjs). The target is the current
# platform unless SPANTUNE_TARGET names another (linux-x64, linux-arm64, darwin-x64, darwin-arm64,
# win32-x64, win32-arm64). Output: $1, or spantune-<target>-<version>.vsix.
# Usage: scripts/package-vsix.sh [OUT.vsix]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${SPANTUNE_TARGET:-$(node -p 'process.platform + "-" + process.arch')}"
version="$(node -p 'require("./package.json").version')"
out="${1:-spantune-$target-$version.vsix}"
mkdir -p "$(dirname "$out")"
node esbuild.mjs --production >/dev/null
trap 'node scripts/stage-runtime.mjs --clean' EXIT
node scripts/stage-runtime.mjs "$target"
# --no-dependencies: the extension's JavaScript is bundled into dist/; ONNX Runtime's native parts
# are staged in dist/node_modules.
npx vsce package --no-dependencies --skip-license --target "$target" --out "$out" >/dev/null
echo "$out"
