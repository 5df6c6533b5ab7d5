// ItemCF prediction from neighbor lists, and the gathered form used to try
// many λ cheaply during tuning.
//
//   r̂_ij = Σ_{k∈N(j), (i,k) rated} d(S_kj, λ1) d(r_ik, λ2)
//          / (Σ_{same k} |d(S_kj, λ1)| + λ3),
//   d(x, a) = sign(x) |x|^a,  d(0, a) = 0.
//
// "Rated" means the pair (i, k) is in the training residuals, whatever its
// value: a stored residual of exactly 0 adds 0 to the numerator but still
// adds |d(S_kj, λ1)| to the denominator. A pair with no rated neighbor
// (including every pair of an item without training ratings, whose N(j) is
// empty) predicts 0, the fallback.
#pragma once

#include <cstdint>
#include <vector>

#include "alphas/sparse.hpp"
#include "neighbors.hpp"

namespace alphas::item_cf {

struct CfLambdas {
  double similarity_power = 1.0;  // λ1
  double rating_power = 1.0;      // λ2
  double shrinkage = 0.0;         // λ3, added to the denominator
};

// d(x, a) = sign(x) |x|^a, and 0 for x = 0 (also when a = 0).
double signed_power(double x, double a);

// One (S_kj, r_ik) term of a prediction, stored as logarithms so each λ
// costs two exponentials: d(S, λ1) d(r, λ2) = sign · exp(λ1 ls + λ2 lr).
struct Contribution {
  float log_abs_similarity = 0;  // log |S_kj|
  float log_abs_rating = 0;      // log |r_ik|, 0 when r_ik = 0
  float sign = 0;                // sign(S_kj) sign(r_ik), 0 when r_ik = 0
};

// Returns r̂ from the contributions of one pair, or 0 without contributions.
double score_pair(const Contribution* begin, const Contribution* end, const CfLambdas& lambdas);

// Every contribution of a list of pairs: pair n owns
// [offsets[n], offsets[n + 1]).
struct ContributionTable {
  std::vector<int64_t> offsets;
  std::vector<Contribution> contributions;

  std::size_t pairs() const { return offsets.empty() ? 0 : offsets.size() - 1; }
};

// Counts of pairs that got the fallback 0.
struct FallbackCounts {
  int64_t pairs = 0;
  int64_t unseen_item = 0;         // the item has no training ratings
  int64_t no_rated_neighbor = 0;   // the user rated none of N(j)
};

// Gathers the contributions of each (users[n], items[n]) pair once, so that
// tuning evaluates each candidate λ in one pass over them.
ContributionTable gather_contributions(const NeighborLists& neighbors, const CsrMatrix& by_user,
                                       const std::vector<int32_t>& users,
                                       const std::vector<int32_t>& items,
                                       FallbackCounts* fallbacks = nullptr);

// Scores every pair of the table.
std::vector<float> predict_gathered(const ContributionTable& table, const CfLambdas& lambdas);

// Predicts (users[n], items[n]) without keeping the contributions, with the
// same arithmetic as score_pair. Pairs are processed grouped by user, in
// parallel with TBB, and each value is independent of the thread count.
std::vector<float> predict_pairs(const NeighborLists& neighbors, const CsrMatrix& by_user,
                                 const std::vector<int32_t>& users,
                                 const std::vector<int32_t>& items, const CfLambdas& lambdas,
                                 FallbackCounts* fallbacks = nullptr);

}  // namespace alphas::item_cf
