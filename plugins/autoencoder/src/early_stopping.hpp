// Early stopping on a smoothed, normalized validation loss.
#pragma once

#include <cstdint>
#include <limits>

namespace alphas::autoencoder {

struct EarlyStoppingSettings {
  int64_t patience = 30;         // evaluations without improvement before stopping
  double smoothing = 0.9;        // weight of the best loss in the smoothed loss
  double min_improvement = 1e-4; // smallest decrease that counts as improvement
};

// Fed one validation loss per evaluation:
//   smoothed = loss                                   on the first evaluation,
//   smoothed = smoothing * best + (1 - smoothing) * loss   afterwards;
// the evaluation improves when smoothed + min_improvement < best, which then
// becomes smoothed. Training stops after `patience` evaluations in a row
// without improvement.
struct EarlyStoppingState {
  double best = std::numeric_limits<double>::infinity();
  int64_t evaluations = 0;
  int64_t without_improvement = 0;
  int64_t best_evaluation = -1;  // 0-based index of the best evaluation
  bool stopped = false;
};

class EarlyStopping {
 public:
  using State = EarlyStoppingState;

  struct Verdict {
    double smoothed = 0;
    bool improved = false;  // keep this model as the best one
    bool stop = false;      // no further training
  };

  explicit EarlyStopping(EarlyStoppingSettings settings, State state = {})
      : settings_(settings), state_(state) {}

  Verdict observe(double loss);

  const State& state() const { return state_; }
  const EarlyStoppingSettings& settings() const { return settings_; }

 private:
  EarlyStoppingSettings settings_;
  State state_;
};

}  // namespace alphas::autoencoder
