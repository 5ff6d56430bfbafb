#!/usr/bin/env bash
# Installs the Debian packages SpanTune's tests and `npm start` need, with apt, only when missing:
#  - chromium: the browser of the end-to-end tests, and SwiftShader (its software Vulkan driver), on
#    which the unit tests run ONNX Runtime's WebGPU provider;
#  - libvulkan1: the Vulkan loader that WebGPU (Dawn) opens;
#  - ripgrep, libkrb5-dev, make, g++, python3: code-server's install builds native modules.
# Idempotent and quick when everything is there. Runs as root on a fresh CI machine; uses sudo otherwise.
#   --no-browser       skip chromium and libvulkan1 (npm start: you open the demo in your own browser)
#   SPANTUNE_NO_APT=1  never run apt: list what is missing and stop (install it your own way)
set -euo pipefail
log() { echo "[setup-system] $*" >&2; }
browser=1
[[ "${1:-}" == "--no-browser" ]] && browser=0

missing=()
if ((browser)); then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  dpkg -s libvulkan1 >/dev/null 2>&1 || missing+=(libvulkan1)
fi
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]} > 0)) && [[ "${SPANTUNE_NO_APT:-}" == "1" ]]; then
  log "missing: ${missing[*]} (SPANTUNE_NO_APT=1, so apt is not run)."
  log "Install them your own way (ripgrep: an 'rg' on PATH; libkrb5-dev: the Kerberos headers, e.g. krb5-devel),"
  log "or run the extension in your own VS Code instead (README: Without apt)."
  exit 1
fi
if ((${#missing[@]} > 0)); then
  sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
