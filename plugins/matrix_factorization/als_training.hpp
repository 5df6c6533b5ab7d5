// The ALS training loop with early stopping, and prediction from a fitted
// factor model.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "als.hpp"

namespace alphas::mf {

struct AlsOptions {
  int32_t factors = 10;       // K
  double lambda_user = 1.0;   // λu
  double lambda_item = 1.0;   // λa
  int max_iterations = 100;
  // Stop after `patience` iterations in a row whose loss is not below
  // (1 − tolerance) × the loss at the last improvement.
  int patience = 5;
  double tolerance = 1e-4;
  uint64_t seed = 1;
};

struct AlsModel {
  FactorMatrix users;  // n_users × K
  FactorMatrix items;  // n_items × K

  // Predicts U_u · A_i for each pair. Users and items without training
  // ratings have all-zero rows after one iteration, so they predict 0.
  std::vector<float> predict(const std::vector<int32_t>& users,
                             const std::vector<int32_t>& items) const;
};

struct AlsFit {
  AlsModel model;          // the model of the lowest loss seen
  int iterations = 0;      // iterations run
  int best_iteration = 0;  // 1-based iteration of `model`
  double best_loss = 0;
  std::vector<double> losses;  // loss after each iteration
};

// Returns the loss that drives early stopping, evaluated after every
// iteration, such as the validation MSE or training_objective.
using LossFunction = std::function<double(const AlsModel&)>;
// Called after every iteration, for logging and progress.
using IterationCallback = std::function<void(int iteration, double loss)>;

// Fits U and A from the same ratings grouped both ways. One iteration solves
// every user row with A fixed, then every item row with U fixed, and A
// starts from initialize_gaussian(seed). Throws NumericError when the loss
// becomes NaN or infinite.
AlsFit fit_als(const CsrMatrix& by_user, const CsrMatrix& by_item, const AlsOptions& options,
               const LossFunction& loss, const IterationCallback& on_iteration = {});

}  // namespace alphas::mf
