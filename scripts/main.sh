#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: GNN.Resid on the
# bundled MyAnimeList sample, with every alpha it needs and the ensemble.
# Extra arguments go to `alphas run` (e.g. --threads 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
exec "${ALPHAS_BUILD_DIR:-$root/build}/bin/alphas" run GNN.Resid "$@"
