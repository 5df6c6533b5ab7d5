// Sparse mini-batches: the nonzero inputs of each sample and the outputs its
// loss or prediction reads, built in parallel from a user's rows.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "counter_rng.hpp"
#include "training_data.hpp"

namespace alphas::autoencoder {

// One row of a batch: a user and the item held out of the input.
struct Sample {
  int32_t user = 0;
  int32_t item = -1;     // held-out item; -1 holds out nothing (prediction)
  float target = 0.0f;   // held-out target residual (validation samples)
};

// What the batch's outputs are.
enum class Outputs {
  // Training: every listed item except the held-out one, with its target
  // residual where that is nonzero (rating head) and the list itself
  // (implicit head).
  reconstruction,
  // Validation: the held-out item only, with the sample's target.
  held_out,
  // Prediction: the items passed per sample, no targets.
  requested,
};

// Dropout of the input: an entry (sample b, column c) of the dense input is
// kept when the counter draw b * input_width + c is at least `rate`, and a
// kept entry is scaled by 1 / (1 - rate). The sparse and the dense
// formulation draw the same mask from this rule.
struct Dropout {
  float rate = 0.5f;
  CounterRng rng;

  bool keep(int64_t sample, int64_t column, int64_t input_width) const {
    return rng.uniform(static_cast<uint64_t>(sample * input_width + column)) >= rate;
  }
};

// A mini-batch in compressed rows. Sample b owns the entries
// [input_offsets[b], input_offsets[b + 1]) of the input arrays and likewise
// for outputs and implicit targets.
struct SparseBatch {
  int64_t size = 0;
  int64_t input_width = 0;
  int64_t n_items = 0;

  std::vector<int64_t> input_offsets;
  std::vector<int64_t> input_columns;  // in [0, input_width)
  std::vector<float> input_values;

  // Rating-head outputs read by the loss or the prediction.
  std::vector<int64_t> output_offsets;
  std::vector<int64_t> output_items;
  std::vector<float> output_targets;

  // Implicit-head target distribution: weights sum to 1 per sample.
  std::vector<int64_t> implicit_offsets;
  std::vector<int64_t> implicit_items;
  std::vector<float> implicit_weights;

  int64_t input_nnz() const { return static_cast<int64_t>(input_values.size()); }
  int64_t output_count() const { return static_cast<int64_t>(output_items.size()); }
  // Row b of output_offsets as a sample index per output entry.
  std::vector<int64_t> output_samples() const;
};

// Builds batches from TrainingData; thread-safe, parallel over samples (TBB).
class BatchBuilder {
 public:
  explicit BatchBuilder(const TrainingData& data) : data_(data) {}

  // `requested` (Outputs::requested only) lists per sample the items to
  // predict. With `dropout`, the dropped entries are left out of the batch.
  SparseBatch build(const std::vector<Sample>& samples, Outputs outputs,
                    const std::optional<Dropout>& dropout = std::nullopt,
                    const std::vector<std::vector<int32_t>>* requested = nullptr) const;

  const TrainingData& data() const { return data_; }

 private:
  const TrainingData& data_;
};

// The nine features of a user with one item held out: f, f^2, sqrt(f) for
// f = (listed / n_items, rated / n_items, mean raw rating / scale max), where
// the counts and the sum leave out the held-out item when it is listed or
// rated.
void user_features(const TrainingData& data, int32_t user, int64_t listed, int64_t rated,
                   double raw_sum, float out[kFeatureCount]);

}  // namespace alphas::autoencoder
