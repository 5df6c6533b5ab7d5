#include "prediction.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

namespace alphas::item_cf {
namespace {

// One user's training residuals scattered over all items, so r_ik is found
// in O(1); `owner` marks which user wrote each entry.
struct UserRow {
  std::vector<float> rating;
  std::vector<int32_t> owner;

  explicit UserRow(int32_t n_items)
      : rating(static_cast<std::size_t>(n_items), 0.0f),
        owner(static_cast<std::size_t>(n_items), -1) {}

  void load(const CsrMatrix& by_user, int32_t u) {
    for (int64_t b = by_user.offsets[u]; b < by_user.offsets[u + 1]; ++b) {
      owner[by_user.cols[b]] = u;
      rating[by_user.cols[b]] = by_user.values[b];
    }
  }
};

Contribution make_contribution(float similarity, float rating) {
  Contribution c;
  c.log_abs_similarity = static_cast<float>(std::log(std::abs(double(similarity))));
  if (rating != 0.0f) {
    c.log_abs_rating = static_cast<float>(std::log(std::abs(double(rating))));
    c.sign = ((similarity > 0) == (rating > 0)) ? 1.0f : -1.0f;
  }
  return c;
}

// The pair indices sorted by user (a stable counting sort), with the range
// of each user.
struct PairsByUser {
  std::vector<int64_t> order;
  std::vector<int64_t> user_offsets;  // n_users + 1
};

PairsByUser group_pairs(const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                        int32_t n_users, int32_t n_items) {
  if (users.size() != items.size()) {
    throw std::invalid_argument("ItemCF: " + std::to_string(users.size()) + " users but " +
                                std::to_string(items.size()) + " items in a request");
  }
  PairsByUser grouped;
  grouped.user_offsets.assign(static_cast<std::size_t>(n_users) + 1, 0);
  for (std::size_t n = 0; n < users.size(); ++n) {
    if (users[n] < 0 || users[n] >= n_users || items[n] < 0 || items[n] >= n_items) {
      throw std::out_of_range("ItemCF: pair (user " + std::to_string(users[n]) + ", item " +
                              std::to_string(items[n]) + ") is outside the trained " +
                              std::to_string(n_users) + " users x " + std::to_string(n_items) +
                              " items");
    }
    ++grouped.user_offsets[users[n] + 1];
  }
  for (int32_t u = 0; u < n_users; ++u) grouped.user_offsets[u + 1] += grouped.user_offsets[u];
  grouped.order.resize(users.size());
  std::vector<int64_t> next(grouped.user_offsets.begin(), grouped.user_offsets.end() - 1);
  for (std::size_t n = 0; n < users.size(); ++n) {
    grouped.order[next[users[n]]++] = static_cast<int64_t>(n);
  }
  return grouped;
}

// Calls visit(n, contributions) for every pair n, with the contributions of
// that pair in neighbor order. Users run in parallel, so visit must only
// write state owned by pair n.
template <class Visit>
void visit_pairs(const NeighborLists& neighbors, const CsrMatrix& by_user,
                 const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                 const Visit& visit) {
  const int32_t n_items = neighbors.n_items();
  const PairsByUser grouped = group_pairs(users, items, by_user.n_rows, n_items);
  tbb::enumerable_thread_specific<UserRow> rows([n_items] { return UserRow(n_items); });

  tbb::parallel_for(
      tbb::blocked_range<int32_t>(0, by_user.n_rows, 64),
      [&](const tbb::blocked_range<int32_t>& range) {
        UserRow& row = rows.local();
        std::vector<Contribution> contributions;
        for (int32_t u = range.begin(); u != range.end(); ++u) {
          const int64_t first = grouped.user_offsets[u];
          const int64_t last = grouped.user_offsets[u + 1];
          if (first == last) continue;
          row.load(by_user, u);
          for (int64_t p = first; p < last; ++p) {
            const int64_t n = grouped.order[p];
            contributions.clear();
            for (const Neighbor& neighbor : neighbors.of(items[n])) {
              if (row.owner[neighbor.item] == u) {
                contributions.push_back(
                    make_contribution(neighbor.similarity, row.rating[neighbor.item]));
              }
            }
            visit(n, contributions);
          }
        }
      });
}

// Counts the pairs n with has_contribution[n] == 0, by cause.
FallbackCounts count_fallbacks(const NeighborLists& neighbors, const std::vector<int32_t>& items,
                               const std::vector<char>& has_contribution) {
  FallbackCounts counts;
  for (std::size_t n = 0; n < items.size(); ++n) {
    if (has_contribution[n]) continue;
    ++counts.pairs;
    if (!neighbors.has_ratings[items[n]]) {
      ++counts.unseen_item;
    } else {
      ++counts.no_rated_neighbor;
    }
  }
  return counts;
}

}  // namespace

double signed_power(double x, double a) {
  if (x == 0.0) return 0.0;
  const double magnitude = std::pow(std::abs(x), a);
  return x > 0 ? magnitude : -magnitude;
}

double score_pair(const Contribution* begin, const Contribution* end, const CfLambdas& lambdas) {
  if (begin == end) return 0.0;
  double numerator = 0;
  double denominator = 0;
  for (const Contribution* c = begin; c != end; ++c) {
    // |d(S, λ1)| = exp(λ1 log|S|) and d(S, λ1) d(r, λ2) = sign exp(λ1 log|S| + λ2 log|r|).
    const double weight = std::exp(lambdas.similarity_power * c->log_abs_similarity);
    denominator += weight;
    if (c->sign != 0.0f) {
      numerator += c->sign * weight * std::exp(lambdas.rating_power * c->log_abs_rating);
    }
  }
  denominator += lambdas.shrinkage;
  return denominator > 0 ? numerator / denominator : 0.0;
}

ContributionTable gather_contributions(const NeighborLists& neighbors, const CsrMatrix& by_user,
                                       const std::vector<int32_t>& users,
                                       const std::vector<int32_t>& items,
                                       FallbackCounts* fallbacks) {
  // Pass 1 counts each pair's contributions, and pass 2 stores them in place.
  ContributionTable table;
  table.offsets.assign(users.size() + 1, 0);
  visit_pairs(neighbors, by_user, users, items,
              [&](int64_t n, const std::vector<Contribution>& found) {
                table.offsets[n + 1] = static_cast<int64_t>(found.size());
              });
  for (std::size_t n = 0; n < users.size(); ++n) table.offsets[n + 1] += table.offsets[n];

  table.contributions.resize(static_cast<std::size_t>(table.offsets.back()));
  visit_pairs(neighbors, by_user, users, items,
              [&](int64_t n, const std::vector<Contribution>& found) {
                std::copy(found.begin(), found.end(),
                          table.contributions.begin() + table.offsets[n]);
              });
  if (fallbacks) {
    std::vector<char> has_contribution(users.size());
    for (std::size_t n = 0; n < users.size(); ++n) {
      has_contribution[n] = table.offsets[n + 1] > table.offsets[n] ? 1 : 0;
    }
    *fallbacks = count_fallbacks(neighbors, items, has_contribution);
  }
  return table;
}

std::vector<float> predict_gathered(const ContributionTable& table, const CfLambdas& lambdas) {
  std::vector<float> prediction(table.pairs());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, table.pairs(), 1024),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t n = range.begin(); n != range.end(); ++n) {
                        const Contribution* base = table.contributions.data();
                        prediction[n] = static_cast<float>(score_pair(
                            base + table.offsets[n], base + table.offsets[n + 1], lambdas));
                      }
                    });
  return prediction;
}

std::vector<float> predict_pairs(const NeighborLists& neighbors, const CsrMatrix& by_user,
                                 const std::vector<int32_t>& users,
                                 const std::vector<int32_t>& items, const CfLambdas& lambdas,
                                 FallbackCounts* fallbacks) {
  std::vector<float> prediction(users.size());
  std::vector<char> has_contribution(users.size(), 0);
  visit_pairs(neighbors, by_user, users, items,
              [&](int64_t n, const std::vector<Contribution>& found) {
                const Contribution* data = found.data();
                prediction[n] = static_cast<float>(score_pair(data, data + found.size(), lambdas));
                has_contribution[n] = found.empty() ? 0 : 1;
              });
  if (fallbacks) *fallbacks = count_fallbacks(neighbors, items, has_contribution);
  return prediction;
}

}  // namespace alphas::item_cf
