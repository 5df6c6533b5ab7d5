// A second, deliberately simple implementation of ItemCF on a dense matrix,
// written from the formulas alone, to check the sparse kernels against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "alphas/ratings.hpp"

namespace alphas::item_cf::testing {

class DenseItemCf {
 public:
  DenseItemCf(const Ratings& training, int32_t n_users, int32_t n_items)
      : n_users_(n_users), n_items_(n_items),
        value_(n_users, std::vector<double>(n_items, 0.0)),
        rated_(n_users, std::vector<bool>(n_items, false)) {
    for (std::size_t n = 0; n < training.size(); ++n) {
      value_[training.user[n]][training.item[n]] = training.rating[n];
      rated_[training.user[n]][training.item[n]] = true;
    }
  }

  // Cosine of columns k and j; a zero column counts as norm 1.
  double similarity(int32_t k, int32_t j) const {
    double dot = 0, norm_k = 0, norm_j = 0;
    for (int32_t u = 0; u < n_users_; ++u) {
      dot += value_[u][k] * value_[u][j];
      norm_k += value_[u][k] * value_[u][k];
      norm_j += value_[u][j] * value_[u][j];
    }
    norm_k = norm_k > 0 ? std::sqrt(norm_k) : 1.0;
    norm_j = norm_j > 0 ? std::sqrt(norm_j) : 1.0;
    return dot / (norm_k * norm_j);
  }

  // N(j): every k ≠ j with S_kj ≠ 0, by |S| descending then k ascending,
  // cut to `max_neighbors`.
  std::vector<int32_t> neighbors(int32_t j, int32_t max_neighbors) const {
    std::vector<int32_t> found;
    for (int32_t k = 0; k < n_items_; ++k) {
      if (k != j && similarity(k, j) != 0.0) found.push_back(k);
    }
    std::stable_sort(found.begin(), found.end(), [&](int32_t a, int32_t b) {
      return std::abs(float(similarity(a, j))) > std::abs(float(similarity(b, j)));
    });
    if (int32_t(found.size()) > max_neighbors) found.resize(max_neighbors);
    return found;
  }

  // r̂_uj; 0 when u rated none of N(j).
  double predict(int32_t u, int32_t j, int32_t max_neighbors, double lambda1, double lambda2,
                 double lambda3) const {
    auto d = [](double x, double a) {
      if (x == 0) return 0.0;
      return (x > 0 ? 1.0 : -1.0) * std::pow(std::abs(x), a);
    };
    double numerator = 0, denominator = 0;
    bool any = false;
    for (int32_t k : neighbors(j, max_neighbors)) {
      if (!rated_[u][k]) continue;
      any = true;
      numerator += d(similarity(k, j), lambda1) * d(value_[u][k], lambda2);
      denominator += std::abs(d(similarity(k, j), lambda1));
    }
    if (!any) return 0.0;
    return numerator / (denominator + lambda3);
  }

 private:
  int32_t n_users_;
  int32_t n_items_;
  std::vector<std::vector<double>> value_;
  std::vector<std::vector<bool>> rated_;
};

}  // namespace alphas::item_cf::testing
