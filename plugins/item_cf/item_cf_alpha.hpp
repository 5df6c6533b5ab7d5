// The ItemCF alpha: item-item cosine neighborhoods on the residuals of its
// inputs, with the prediction's three exponents and shrinkage tuned on
// validation. ItemCF.Resid.<X>.1.256 is this alpha with other residual
// inputs, and nothing here assumes which alphas those are.
#pragma once

#include <optional>
#include <string>

#include "alphas/alpha.hpp"
#include "alphas/sparse.hpp"
#include "neighbors.hpp"
#include "prediction.hpp"

namespace alphas::item_cf {

// Recipe parameters, described with their defaults in README.md.
struct ItemCfSettings {
  int32_t neighbors = 0;                   // K
  std::optional<double> similarity_power;  // λ1, fixed when set, tuned when unset
  std::optional<double> rating_power;      // λ2
  std::optional<double> shrinkage;         // λ3
  int search_evaluations = 60;
  int64_t max_tuning_pairs = 1000000;
};

// Reads and validates the parameters, recording each problem in `params`.
// K comes from the parameter `K`, else from the last dot-separated part of
// the alpha name ("ItemCF.Resid.MF.1.256" → 256).
ItemCfSettings read_settings(AlphaParams& params);

class ItemCfAlpha final : public Alpha {
 public:
  void configure(AlphaParams& params) override;
  void load(AlphaContext& context) override;
  void train(AlphaContext& context) override;
  void write(AlphaContext& context) override;

 private:
  // Returns the validation pairs used for tuning: all of them, or a seeded
  // sample of about max_tuning_pairs.
  Ratings tuning_pairs(const AlphaContext& context) const;
  // Finds the lambdas that are not fixed by the recipe.
  void tune_lambdas(AlphaContext& context);

  ItemCfSettings settings_;
  CsrMatrix by_user_;
  CsrMatrix by_item_;
  Ratings validation_;  // target residuals of the validation split
  NeighborLists neighbors_;
  CfLambdas lambdas_;
};

}  // namespace alphas::item_cf
