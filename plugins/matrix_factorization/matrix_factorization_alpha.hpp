// The MatrixFactorization alpha: R̂ = U Aᵀ fitted by ALS to the residuals of
// its inputs, with λu and λa tuned on validation.
#pragma once

#include <optional>
#include <string>

#include "alphas/alpha.hpp"
#include "alphas/sparse.hpp"
#include "als_training.hpp"

namespace alphas::mf {

// Recipe parameters, described with their defaults in README.md.
struct MatrixFactorizationSettings {
  int32_t factors = 0;                // K
  std::optional<double> lambda_user;  // fixed when set, tuned when unset
  std::optional<double> lambda_item;
  double lambda_initial = 10.0;       // start of the search
  double lambda_lower = 1e-3;         // search bounds
  double lambda_upper = 1e4;
  int search_evaluations = 30;
  int tuning_iterations = 10;
  int max_iterations = 100;
  int patience = 5;
  double tolerance = 1e-4;
};

// Reads and validates the parameters, recording each problem in `params`.
// K comes from the parameter `K`, else from the last dot-separated part of
// the alpha name ("MatrixFactorization.20" → 20).
MatrixFactorizationSettings read_settings(AlphaParams& params);

class MatrixFactorizationAlpha final : public Alpha {
 public:
  void configure(AlphaParams& params) override;
  void load(AlphaContext& context) override;
  void train(AlphaContext& context) override;
  void write(AlphaContext& context) override;

 private:
  // b-scaled MSE of the model on the validation target residuals.
  double validation_loss(const AlsModel& model) const;
  // Finds the lambdas that are not fixed by the recipe.
  void tune_lambdas(AlphaContext& context, AlsOptions& options);

  MatrixFactorizationSettings settings_;
  CsrMatrix by_user_;
  CsrMatrix by_item_;
  Ratings validation_;  // target residuals of the validation split
  AlsModel model_;
};

}  // namespace alphas::mf
