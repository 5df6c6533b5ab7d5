// Residualization: what remains of the ratings after a list of alphas.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "alphas/data_dir.hpp"
#include "alphas/dataset.hpp"

namespace alphas {

// Reads stored predictions and computes blend weights and residuals.
// Thread-safe; beta is cached per alpha list for the life of the store.
class PredictionStore {
 public:
  PredictionStore(DataDir dir, const Dataset& dataset);

  // The stored predictions of `alpha` for one explicit split, aligned with
  // the rows of dataset.split(split). Throws Error naming the alpha and the
  // path if it has not been run.
  std::vector<float> predictions(const std::string& alpha, Split split) const;

  // beta(A): least squares on validation without intercept,
  //   beta = argmin || y_val - X_val beta ||^2,  X_val[:, j] = predictions of a_j,
  // solved from the normal equations (X^T X) beta = X^T y with a
  // rank-revealing decomposition, so collinear alphas do not produce NaN.
  std::vector<double> beta(const std::vector<std::string>& alphas);

  // residuals(split, A) = rating - sum_j beta_j * prediction_{a_j}(split);
  // residuals(split, []) = the ratings themselves.
  Ratings residuals(Split split, const std::vector<std::string>& alphas);

  const Dataset& dataset() const { return dataset_; }
  const DataDir& dir() const { return dir_; }

 private:
  DataDir dir_;
  const Dataset& dataset_;
  std::mutex mutex_;
  std::map<std::vector<std::string>, std::vector<double>> beta_cache_;
};

// Solves the least-squares problem min ||y - X beta||^2 for the columns of X
// given as vectors (all of y's length). Exposed for the ensemble and tests.
std::vector<double> least_squares(const std::vector<std::vector<float>>& columns,
                                  const std::vector<float>& y);

}  // namespace alphas
