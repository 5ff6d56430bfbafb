#!/usr/bin/env bash
# SpanTune's end-to-end tests in a real VS Code (code-server 4.100.3) and headless Chromium:
#  1. mocha suites inside the extension host (test/extension, through @vscode/test-cli);
#  2. Playwright specs driving the UI against the packaged .vsix installed into code-server (e2e/ui).
# Screenshots: test-artifacts/screenshots/. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "[test:e2e] $* ($(( $(date +%s) - started )) s)" >&2; }

scripts/setup-e2e.sh
rm -rf test-artifacts/screenshots
step "building the extension and the host test suites"
node esbuild.mjs >/dev/null
node scripts/build-extension-tests.mjs

status=0
step "mocha suites in the extension host"
npx vscode-test --config e2e/vscode-test.mjs || status=1

step "packaging the .vsix"
vsix="$(scripts/package-vsix.sh .e2e/spantune.vsix)"
step "UI specs against the installed $vsix"
SPANTUNE_VSIX="$PWD/$vsix" node --import tsx --test --test-concurrency=1 --test-reporter=spec e2e/ui/*.ui.test.ts || status=1

# Leave the development bundles (with source maps) in dist/ again.
node esbuild.mjs >/dev/null
step "done: $( [[ $status -eq 0 ]] && echo passed || echo FAILED ); screenshots in test-artifacts/screenshots/"
exit $status
