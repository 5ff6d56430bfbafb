#!/usr/bin/env bash
# SpanTune's unit and parity tests (node:test, every test/unit/**/*.test.ts). The tests and the
# processes they start write their temporary folders (model copies, graphs, datasets) under one
# folder of their own, removed when the run ends: they used to stay in the system's temporary
# folder, about half a gigabyte a run.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d "${TMPDIR:-/tmp}/spantune-unit-tests-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
# shellcheck disable=SC2046 # one argument per test file
TMPDIR="$scratch" node --import tsx --test --test-reporter=spec $(find test/unit -name "*.test.ts" | sort)
