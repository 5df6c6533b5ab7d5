// The per-user rows every batch of the autoencoder is built from.
#pragma once

#include <cstdint>
#include <vector>

#include "alphas/dataset.hpp"
#include "alphas/ratings.hpp"
#include "alphas/sparse.hpp"

namespace alphas::autoencoder {

// The number of user features appended to the input: f, f^2 and sqrt(f) for
// f = (items listed / n_items, items rated / n_items, mean raw rating / scale max).
inline constexpr int64_t kFeatureCount = 9;

// Training data grouped by user. Rows are users, columns items; every user id
// of the dataset has a row, empty for a user without training data.
struct TrainingData {
  int32_t n_users = 0;
  int32_t n_items = 0;
  float scale_max = 1.0f;

  CsrMatrix inputs;   // residual inputs of the training split
  std::vector<float> raw_values;  // the raw rating of each entry of `inputs`
  CsrMatrix listed;   // implicit_training, value 1
  // Rating-head targets: the listed items whose training target residual is
  // nonzero, with that residual (the loss only reads nonzero targets).
  CsrMatrix targets;
  std::vector<double> raw_sum;         // sum of the user's raw training ratings
  std::vector<int32_t> rated_count;    // the user's training ratings
  std::vector<int32_t> listed_count;   // the user's implicit_training entries

  Ratings training;    // raw training ratings; training samples are its rows
  Ratings validation;  // validation pairs with their target residual

  // Items with at least one nonzero training target: the rating head has
  // never been trained on the others, so their prediction is 0.
  std::vector<uint8_t> trained_item;

  // Mean squared target residual of each split: the loss of predicting 0,
  // which normalizes the rating loss.
  double training_baseline = 1.0;
  double validation_baseline = 1.0;

  // Rated training pairs that are missing from the implicit list: they are
  // inputs but never rating-head targets.
  int64_t rated_not_listed = 0;

  int64_t input_width() const { return 2 * static_cast<int64_t>(n_items) + kFeatureCount; }
};

// Builds the rows. `raw_training`, `inputs` and `training_targets` must be
// aligned with the rows of dataset.training, `validation_targets` with
// dataset.validation; throws alphas::Error naming the table otherwise.
TrainingData make_training_data(const Dataset& dataset, Ratings raw_training,
                                const Ratings& inputs, const Ratings& training_targets,
                                Ratings validation_targets);

}  // namespace alphas::autoencoder
