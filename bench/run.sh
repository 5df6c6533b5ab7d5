#!/usr/bin/env bash
# Prints a table of steady-state milliseconds per training step of the
# autoencoder (median over --steps after --warmup), sparse against dense, at
# the item counts of the bundled data (7,158) and of MyAnimeList (18,953).
# Each configuration runs in its own process so peak RSS is its own.
#
# Usage: bench/run.sh [build dir] (default: build). Environment: THREADS
# (default 2), STEPS (default 15), WARMUP (default 3), ITEMS (default
# "7158 18953"), EXTRA=1 adds the implicit head and lazy Adam.
set -euo pipefail

build="${1:-build}"
bench="$build/bin/autoencoder_bench"
if [[ ! -x "$bench" ]]; then
  echo "run.sh: $bench not found; build it with: cmake --build $build --target autoencoder_bench" >&2
  exit 1
fi
threads="${THREADS:-2}"
steps="${STEPS:-15}"
warmup="${WARMUP:-3}"
items_list="${ITEMS:-7158 18953}"

echo "threads $threads, batch 128, $steps steps after $warmup warm-up steps; times are medians in ms"
echo "(step CPU: CPU time of all threads of the process during the step)"
echo
echo "| items | formulation | optimizer | step | step CPU | batch | forward | backward | optimizer | peak RSS MiB | params (M) | inputs/outputs per sample |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for items in $items_list; do
  for formulation in sparse dense; do
    "$bench" --items "$items" --formulation "$formulation" --threads "$threads" \
      --steps "$steps" --warmup "$warmup"
  done
  if [[ "${EXTRA:-0}" == 1 ]]; then
    "$bench" --items "$items" --formulation sparse --optimizer lazy_adam --threads "$threads" \
      --steps "$steps" --warmup "$warmup"
    "$bench" --items "$items" --formulation sparse --implicit --threads "$threads" \
      --steps "$steps" --warmup "$warmup"
  fi
done
