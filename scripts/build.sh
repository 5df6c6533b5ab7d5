#!/usr/bin/env bash
# Configures (once) and builds alphas in build/ (Release). Incremental.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${ALPHAS_BUILD_DIR:-$root/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" -j "$(nproc)"
