// Item neighborhoods for the ItemCF alpha: cosine similarity between the
// item columns of the training residual matrix, kept as the top K per item.
//
//   S_kj = Σ_u r_uk r_uj / (‖r_k‖ ‖r_j‖),   ‖r_j‖ = sqrt(Σ_u r_uj²),
//
// where a column of norm 0 (an item without training ratings, or whose
// residuals are all 0) counts as norm 1, so its similarities are 0 and never
// 0/0. N(j) contains the K items of largest |S_kj| with k ≠ j, and ties go
// to the lower item id.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "alphas/sparse.hpp"

namespace alphas::item_cf {

struct Neighbor {
  int32_t item = 0;
  float similarity = 0;  // S_kj, never 0
};

// The lists N(j) of every item j. Items with S_kj = 0 are left out because
// they add nothing to a prediction, so a list can be shorter than K (an item
// without training ratings has none).
struct NeighborLists {
  int32_t max_neighbors = 0;  // K after capping at n_items − 1
  // lists[j] = N(j), by |S| descending, then item id ascending.
  std::vector<std::vector<Neighbor>> lists;
  // has_ratings[j]: item j has at least one training rating.
  std::vector<bool> has_ratings;

  int32_t n_items() const { return static_cast<int32_t>(lists.size()); }
  const std::vector<Neighbor>& of(int32_t j) const { return lists[j]; }
  int64_t total() const;
};

// ‖r_j‖ for every item (row of `by_item`), with 0 replaced by 1.
std::vector<double> column_norms(const CsrMatrix& by_item);

// Sorts `candidates` into neighbor order (|S| descending, then item id
// ascending) and keeps the first `max_neighbors`.
void select_top_neighbors(std::vector<Neighbor>& candidates, int32_t max_neighbors);

// Receives the number of items finished so far, from several threads.
using ProgressCallback = std::function<void(int64_t done)>;

// Computes N(j) for every item. Column j of S is accumulated sparsely from
// the raters u of j and the items k of each u (S_kj += r_uk r_uj), then cut
// to the top K, so the dense n_items × n_items matrix is never formed. Items run
// in parallel with TBB, each with a fixed summation order, so the result is
// identical for any thread count.
NeighborLists compute_neighbors(const CsrMatrix& by_user, const CsrMatrix& by_item,
                                int32_t max_neighbors, const ProgressCallback& progress = {});

}  // namespace alphas::item_cf
