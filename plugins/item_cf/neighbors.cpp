#include "neighbors.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

namespace alphas::item_cf {
namespace {

// Sparse accumulator of one column of S: dense sums with a list of the
// entries touched, so resetting costs only what was used.
struct ColumnAccumulator {
  std::vector<double> sums;
  std::vector<int32_t> owner;  // item j whose column last touched the entry, or -1
  std::vector<int32_t> touched;

  explicit ColumnAccumulator(int32_t n_items)
      : sums(static_cast<std::size_t>(n_items), 0.0),
        owner(static_cast<std::size_t>(n_items), -1) {}
};

bool comes_before(const Neighbor& a, const Neighbor& b) {
  const float abs_a = std::abs(a.similarity);
  const float abs_b = std::abs(b.similarity);
  if (abs_a != abs_b) return abs_a > abs_b;
  return a.item < b.item;
}

// Fills `candidates` with (k, S_kj) for every k ≠ j with S_kj ≠ 0.
void similarity_column(int32_t j, const CsrMatrix& by_user, const CsrMatrix& by_item,
                       const std::vector<double>& norms, ColumnAccumulator& accumulator,
                       std::vector<Neighbor>& candidates) {
  accumulator.touched.clear();
  for (int64_t a = by_item.offsets[j]; a < by_item.offsets[j + 1]; ++a) {
    const int32_t u = by_item.cols[a];
    const double r_uj = by_item.values[a];
    for (int64_t b = by_user.offsets[u]; b < by_user.offsets[u + 1]; ++b) {
      const int32_t k = by_user.cols[b];
      if (accumulator.owner[k] != j) {
        accumulator.owner[k] = j;
        accumulator.sums[k] = 0.0;
        accumulator.touched.push_back(k);
      }
      accumulator.sums[k] += r_uj * by_user.values[b];
    }
  }

  candidates.clear();
  for (int32_t k : accumulator.touched) {
    if (k == j) continue;
    const double similarity = accumulator.sums[k] / (norms[k] * norms[j]);
    if (similarity != 0.0) candidates.push_back({k, static_cast<float>(similarity)});
  }
}

}  // namespace

int64_t NeighborLists::total() const {
  int64_t sum = 0;
  for (const auto& list : lists) sum += static_cast<int64_t>(list.size());
  return sum;
}

std::vector<double> column_norms(const CsrMatrix& by_item) {
  std::vector<double> norms(static_cast<std::size_t>(by_item.n_rows));
  for (int32_t j = 0; j < by_item.n_rows; ++j) {
    double sum = 0;
    for (int64_t a = by_item.offsets[j]; a < by_item.offsets[j + 1]; ++a) {
      sum += static_cast<double>(by_item.values[a]) * by_item.values[a];
    }
    norms[j] = sum > 0 ? std::sqrt(sum) : 1.0;
  }
  return norms;
}

void select_top_neighbors(std::vector<Neighbor>& candidates, int32_t max_neighbors) {
  const std::size_t keep =
      std::min(candidates.size(), static_cast<std::size_t>(std::max(max_neighbors, 0)));
  if (keep < candidates.size()) {
    std::nth_element(candidates.begin(), candidates.begin() + keep, candidates.end(),
                     comes_before);
    candidates.resize(keep);
  }
  std::sort(candidates.begin(), candidates.end(), comes_before);
}

NeighborLists compute_neighbors(const CsrMatrix& by_user, const CsrMatrix& by_item,
                                int32_t max_neighbors, const ProgressCallback& progress) {
  if (by_user.n_rows != by_item.n_cols || by_user.n_cols != by_item.n_rows) {
    throw std::invalid_argument("compute_neighbors: by_user is " +
                                std::to_string(by_user.n_rows) + " x " +
                                std::to_string(by_user.n_cols) + " but by_item is " +
                                std::to_string(by_item.n_rows) + " x " +
                                std::to_string(by_item.n_cols));
  }
  const int32_t n_items = by_item.n_rows;
  NeighborLists neighbors;
  neighbors.max_neighbors = std::max(0, std::min(max_neighbors, n_items - 1));
  neighbors.lists.resize(static_cast<std::size_t>(n_items));
  neighbors.has_ratings.resize(static_cast<std::size_t>(n_items));
  for (int32_t j = 0; j < n_items; ++j) neighbors.has_ratings[j] = by_item.row_size(j) > 0;

  const std::vector<double> norms = column_norms(by_item);
  tbb::enumerable_thread_specific<ColumnAccumulator> accumulators(
      [n_items] { return ColumnAccumulator(n_items); });
  std::atomic<int64_t> done{0};

  tbb::parallel_for(tbb::blocked_range<int32_t>(0, n_items, 16),
                    [&](const tbb::blocked_range<int32_t>& range) {
                      ColumnAccumulator& accumulator = accumulators.local();
                      std::vector<Neighbor> candidates;
                      for (int32_t j = range.begin(); j != range.end(); ++j) {
                        similarity_column(j, by_user, by_item, norms, accumulator, candidates);
                        select_top_neighbors(candidates, neighbors.max_neighbors);
                        neighbors.lists[j].assign(candidates.begin(), candidates.end());
                      }
                      const int64_t finished = done += static_cast<int64_t>(range.size());
                      if (progress) progress(finished);
                    });
  return neighbors;
}

}  // namespace alphas::item_cf
