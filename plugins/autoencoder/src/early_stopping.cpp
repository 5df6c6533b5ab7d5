#include "early_stopping.hpp"

#include <cmath>

namespace alphas::autoencoder {

EarlyStopping::Verdict EarlyStopping::observe(double loss) {
  Verdict verdict;
  verdict.smoothed = std::isinf(state_.best)
                         ? loss
                         : settings_.smoothing * state_.best + (1 - settings_.smoothing) * loss;
  if (verdict.smoothed + settings_.min_improvement < state_.best) {
    state_.best = verdict.smoothed;
    state_.without_improvement = 0;
    state_.best_evaluation = state_.evaluations;
    verdict.improved = true;
  } else {
    ++state_.without_improvement;
    if (state_.without_improvement >= settings_.patience) state_.stopped = true;
  }
  ++state_.evaluations;
  verdict.stop = state_.stopped;
  return verdict;
}

}  // namespace alphas::autoencoder
