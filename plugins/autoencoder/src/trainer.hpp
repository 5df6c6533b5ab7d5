// The training loop: steps of Adam on sparse batches, an evaluation every
// eval_interval steps driving early stopping, and checkpoints to resume from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "batch.hpp"
#include "checkpoint.hpp"
#include "formulations.hpp"
#include "network.hpp"
#include "settings.hpp"
#include "training_data.hpp"

namespace alphas::autoencoder {

// Normalized losses of one evaluation.
struct Evaluation {
  double training = 0;    // training loss / training baseline (logged only)
  double validation = 0;  // validation loss / validation baseline (drives early stopping)
  // The two terms of `validation`: the rating term, and the weighted
  // implicit term (0 without the implicit head).
  double validation_rating = 0;
  double validation_implicit = 0;
};

struct TrainingSummary {
  int64_t steps = 0;
  int64_t evaluations = 0;
  int64_t best_evaluation = -1;
  double best_loss = 0;       // smoothed, normalized validation loss of the best model
  StopReason stop_reason = StopReason::running;
  bool resumed = false;       // continued from a checkpoint
  double samples_per_second = 0;  // training steps of this run only
};

class Trainer {
 public:
  // `checkpoints` may be disabled (empty folder).
  Trainer(const TrainingData& data, const Settings& settings, const Architecture& architecture,
          uint64_t seed, spdlog::logger& log, CheckpointFiles checkpoints);

  // Trains (or resumes, or reuses a finished checkpoint) and returns the best
  // network. With `interrupt_after_step`, returns right after the checkpoint
  // of that step without finishing, as a killed process would leave it; for
  // tests of resumption.
  std::unique_ptr<Network> train(std::optional<int64_t> interrupt_after_step = std::nullopt);

  const TrainingSummary& summary() const { return summary_; }

  // One evaluation of `network` (no dropout, no gradients).
  Evaluation evaluate(Network& network, int64_t evaluation_index) const;

  // The training samples of step `step`: batch_size rows of the training
  // split drawn uniformly with replacement from (seed, step).
  std::vector<Sample> training_samples(int64_t step) const;

 private:
  double batch_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                    Gradients* gradients) const;
  LossWeights training_weights() const;

  const TrainingData& data_;
  Settings settings_;
  Architecture architecture_;
  uint64_t seed_;
  spdlog::logger& log_;
  CheckpointFiles checkpoints_;
  BatchBuilder builder_;
  std::vector<Sample> validation_samples_;
  TrainingSummary summary_;
};

}  // namespace alphas::autoencoder
