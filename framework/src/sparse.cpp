#include "alphas/sparse.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "alphas/error.hpp"

namespace alphas {
namespace {

void check_ids(const std::vector<int32_t>& ids, int32_t n, const char* what) {
  for (int32_t id : ids) {
    if (id < 0 || id >= n) {
      throw Error(std::string("sparse grouping: ") + what + " id " + std::to_string(id) +
                  " is outside [0, " + std::to_string(n) + ")");
    }
  }
}

// Counting sort of the table by `rows`: O(nnz) and stable, then each row is
// sorted by column in parallel.
CsrMatrix group(const std::vector<int32_t>& rows, const std::vector<int32_t>& cols,
                const std::vector<float>& values, int32_t n_rows, int32_t n_cols) {
  CsrMatrix m;
  m.n_rows = n_rows;
  m.n_cols = n_cols;
  const std::size_t nnz = values.size();

  std::vector<std::atomic<int64_t>> counts(static_cast<std::size_t>(n_rows));
  for (auto& c : counts) c.store(0, std::memory_order_relaxed);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nnz), [&](const auto& range) {
    for (std::size_t k = range.begin(); k != range.end(); ++k) {
      counts[rows[k]].fetch_add(1, std::memory_order_relaxed);
    }
  });

  m.offsets.assign(static_cast<std::size_t>(n_rows) + 1, 0);
  for (int32_t r = 0; r < n_rows; ++r) m.offsets[r + 1] = m.offsets[r] + counts[r].load();

  m.cols.resize(nnz);
  m.values.resize(nnz);
  std::vector<int64_t> next(m.offsets.begin(), m.offsets.end() - 1);
  for (std::size_t k = 0; k < nnz; ++k) {
    int64_t slot = next[rows[k]]++;
    m.cols[slot] = cols[k];
    m.values[slot] = values[k];
  }

  tbb::parallel_for(tbb::blocked_range<int32_t>(0, n_rows), [&](const auto& range) {
    std::vector<int64_t> order;
    std::vector<int32_t> sorted_cols;
    std::vector<float> sorted_values;
    for (int32_t r = range.begin(); r != range.end(); ++r) {
      const int64_t begin = m.offsets[r], end = m.offsets[r + 1];
      if (std::is_sorted(m.cols.begin() + begin, m.cols.begin() + end)) continue;
      order.resize(static_cast<std::size_t>(end - begin));
      std::iota(order.begin(), order.end(), begin);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return m.cols[a] < m.cols[b]; });
      sorted_cols.clear();
      sorted_values.clear();
      for (int64_t k : order) {
        sorted_cols.push_back(m.cols[k]);
        sorted_values.push_back(m.values[k]);
      }
      std::copy(sorted_cols.begin(), sorted_cols.end(), m.cols.begin() + begin);
      std::copy(sorted_values.begin(), sorted_values.end(), m.values.begin() + begin);
    }
  });
  return m;
}

}  // namespace

CsrMatrix group_by_user(const Ratings& ratings, int32_t n_users, int32_t n_items) {
  check_ids(ratings.user, n_users, "user");
  check_ids(ratings.item, n_items, "item");
  return group(ratings.user, ratings.item, ratings.rating, n_users, n_items);
}

CsrMatrix group_by_item(const Ratings& ratings, int32_t n_users, int32_t n_items) {
  check_ids(ratings.user, n_users, "user");
  check_ids(ratings.item, n_items, "item");
  return group(ratings.item, ratings.user, ratings.rating, n_items, n_users);
}

std::vector<double> row_sums(const CsrMatrix& m) {
  std::vector<double> sums(static_cast<std::size_t>(m.n_rows), 0.0);
  tbb::parallel_for(tbb::blocked_range<int32_t>(0, m.n_rows), [&](const auto& range) {
    for (int32_t r = range.begin(); r != range.end(); ++r) {
      double sum = 0;
      for (int64_t k = m.offsets[r]; k < m.offsets[r + 1]; ++k) sum += m.values[k];
      sums[r] = sum;
    }
  });
  return sums;
}

std::vector<int32_t> row_counts(const CsrMatrix& m) {
  std::vector<int32_t> counts(static_cast<std::size_t>(m.n_rows));
  for (int32_t r = 0; r < m.n_rows; ++r) counts[r] = static_cast<int32_t>(m.row_size(r));
  return counts;
}

std::vector<bool> seen_mask(const std::vector<int32_t>& ids, int32_t n) {
  std::vector<bool> mask(static_cast<std::size_t>(n), false);
  for (int32_t id : ids) {
    if (id >= 0 && id < n) mask[id] = true;
  }
  return mask;
}

}  // namespace alphas
