#include "predictor.hpp"

#include <string>

#include "alphas/error.hpp"
#include "formulations.hpp"

namespace alphas::autoencoder {

Predictor::Predictor(const TrainingData& data, Network& network, int64_t users_per_batch,
                     Formulation formulation)
    : data_(data),
      network_(network),
      users_per_batch_(users_per_batch),
      formulation_(formulation),
      builder_(data) {}

template <class Compute>
std::vector<float> Predictor::per_user(const std::vector<int32_t>& users,
                                       const std::vector<int32_t>& items, Compute compute) const {
  if (users.size() != items.size()) {
    throw Error("autoencoder: " + std::to_string(users.size()) + " users but " +
                std::to_string(items.size()) + " items to predict");
  }
  // Pairs grouped by user with a stable counting sort.
  std::vector<int64_t> start(static_cast<std::size_t>(data_.n_users) + 1, 0);
  for (std::size_t k = 0; k < users.size(); ++k) {
    if (users[k] < 0 || users[k] >= data_.n_users || items[k] < 0 || items[k] >= data_.n_items) {
      throw Error("autoencoder: pair " + std::to_string(k) + " (user " + std::to_string(users[k]) +
                  ", item " + std::to_string(items[k]) + ") is outside the dataset's " +
                  std::to_string(data_.n_users) + " users and " + std::to_string(data_.n_items) +
                  " items");
    }
    ++start[users[k] + 1];
  }
  for (int32_t u = 0; u < data_.n_users; ++u) start[u + 1] += start[u];
  std::vector<int64_t> order(users.size());
  std::vector<int64_t> next(start.begin(), start.end() - 1);
  for (std::size_t k = 0; k < users.size(); ++k) order[next[users[k]]++] = static_cast<int64_t>(k);

  std::vector<float> result(users.size(), 0.0f);
  std::vector<Sample> samples;
  std::vector<std::vector<int32_t>> requested;
  std::vector<std::vector<int64_t>> positions;
  auto flush = [&] {
    if (samples.empty()) return;
    const SparseBatch batch = builder_.build(samples, Outputs::requested, std::nullopt, &requested);
    const std::vector<float> values = compute(batch);
    std::size_t k = 0;
    for (const std::vector<int64_t>& pair_positions : positions) {
      for (int64_t position : pair_positions) result[position] = values[k++];
    }
    samples.clear();
    requested.clear();
    positions.clear();
  };
  for (int32_t u = 0; u < data_.n_users; ++u) {
    if (start[u + 1] == start[u]) continue;
    samples.push_back({u, -1, 0.0f});
    requested.emplace_back();
    positions.emplace_back();
    for (int64_t s = start[u]; s < start[u + 1]; ++s) {
      requested.back().push_back(items[order[s]]);
      positions.back().push_back(order[s]);
    }
    if (static_cast<int64_t>(samples.size()) == users_per_batch_) flush();
  }
  flush();
  return result;
}

std::vector<float> Predictor::ratings(const std::vector<int32_t>& users,
                                      const std::vector<int32_t>& items) const {
  std::vector<float> values = per_user(users, items, [&](const SparseBatch& batch) {
    return formulation_ == Formulation::sparse ? sparse_predict_ratings(network_, batch)
                                               : dense_predict_ratings(network_, batch);
  });
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!data_.trained_item[items[k]]) values[k] = 0.0f;
  }
  return values;
}

std::vector<float> Predictor::implicit(const std::vector<int32_t>& users,
                                       const std::vector<int32_t>& items) const {
  if (!network_.architecture().implicit_head) {
    throw Error("autoencoder: implicit predictions need the implicit head (family GNN)");
  }
  return per_user(users, items, [&](const SparseBatch& batch) {
    return predict_implicit(network_, batch, formulation_ == Formulation::sparse);
  });
}

}  // namespace alphas::autoencoder
