// Predictions for arbitrary (user, item) pairs: each user's full input is
// evaluated once for all of that user's pairs, without dropout.
#pragma once

#include <cstdint>
#include <vector>

#include "batch.hpp"
#include "network.hpp"
#include "settings.hpp"
#include "training_data.hpp"

namespace alphas::autoencoder {

class Predictor {
 public:
  Predictor(const TrainingData& data, Network& network, int64_t users_per_batch,
            Formulation formulation);

  // Rating-head output for each pair. An item with no training target was
  // never trained in the rating head, so its prediction is 0 (the residual
  // stays as it is).
  std::vector<float> ratings(const std::vector<int32_t>& users, const std::vector<int32_t>& items) const;

  // Implicit-head softmax probability of each pair (GNN only).
  std::vector<float> implicit(const std::vector<int32_t>& users, const std::vector<int32_t>& items) const;

 private:
  template <class Compute>
  std::vector<float> per_user(const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                              Compute compute) const;

  const TrainingData& data_;
  Network& network_;
  int64_t users_per_batch_;
  Formulation formulation_;
  BatchBuilder builder_;
};

}  // namespace alphas::autoencoder
