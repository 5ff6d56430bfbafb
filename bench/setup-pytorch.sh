#!/usr/bin/env bash
# The PyTorch yardstick of bench:infer: Debian's python3-torch, with OpenBLAS behind it (without it,
# Debian's torch multiplies matrices with the reference BLAS, at a few GFLOP/s). apt, only when missing.
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || dpkg -s libopenblas0-openmp >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
if ((${#missing[@]} > 0)); then
  sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  echo "[bench] apt-get install ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
