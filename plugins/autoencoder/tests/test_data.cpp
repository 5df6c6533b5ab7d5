#include "test_data.hpp"

#include "counter_rng.hpp"

namespace alphas::autoencoder::testing {

Dataset make_dataset(int32_t n_users, int32_t n_items, uint64_t seed) {
  Dataset d;
  d.n_users = n_users;
  d.n_items = n_items;
  d.scale = {1.0, 10.0};
  const CounterRng rng(seed, Stream::initialization, 99);
  Ratings implicit;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t i = 0; i < n_items; ++i) {
      const uint64_t pair = static_cast<uint64_t>(u) * n_items + i;
      const bool unseen = (u == n_users - 1) || (i == n_items - 1);
      if (rng.uniform(4 * pair) < 0.5f && i != n_items - 1) {
        const float rating = 1.0f + static_cast<float>(rng.below(4 * pair + 1, 10));
        const float split = rng.uniform(4 * pair + 2);
        if (split < 0.8f && !unseen) {
          d.training.push_back(u, i, rating);
          d.implicit_training.push_back(u, i, 1.0f);
        } else if (split < 0.9f || unseen) {
          d.validation.push_back(u, i, rating);
        } else {
          d.test.push_back(u, i, rating);
        }
        implicit.push_back(u, i, 1.0f);
      } else if (rng.uniform(4 * pair + 3) < 0.2f && !unseen) {
        d.implicit_training.push_back(u, i, 1.0f);
        implicit.push_back(u, i, 1.0f);
      }
    }
  }
  for (int32_t u = 0; u < n_users; ++u) d.user_ids.push_back("u" + std::to_string(u));
  for (int32_t i = 0; i < n_items; ++i) d.item_ids.push_back("i" + std::to_string(i));
  return d;
}

float input_residual(float rating) { return rating - 5.5f; }

float target_residual(float rating, int32_t item) {
  return 0.5f * (rating - 5.5f) + 0.25f * static_cast<float>(item % 3 - 1);
}

namespace {

Ratings map_ratings(const Ratings& source, bool target) {
  Ratings out;
  for (std::size_t k = 0; k < source.size(); ++k) {
    out.push_back(source.user[k], source.item[k],
                  target ? target_residual(source.rating[k], source.item[k])
                         : input_residual(source.rating[k]));
  }
  return out;
}

}  // namespace

TrainingData make_training_data_for(const Dataset& dataset) {
  return make_training_data(dataset, dataset.training, map_ratings(dataset.training, false),
                            map_ratings(dataset.training, true),
                            map_ratings(dataset.validation, true));
}

}  // namespace alphas::autoencoder::testing
