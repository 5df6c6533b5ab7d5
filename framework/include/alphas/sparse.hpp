// Compressed sparse rows built in parallel from rating tables: the grouping
// every plugin needs (a user's ratings, an item's raters).
#pragma once

#include <cstdint>
#include <vector>

#include "alphas/ratings.hpp"

namespace alphas {

// Row r owns entries [offsets[r], offsets[r + 1]) of `cols` and `values`.
// Within a row, entries are sorted by column id; entries with the same column
// keep the order of the source table. The result does not depend on the
// number of threads.
struct CsrMatrix {
  int32_t n_rows = 0;
  int32_t n_cols = 0;
  std::vector<int64_t> offsets;  // n_rows + 1
  std::vector<int32_t> cols;
  std::vector<float> values;

  int64_t row_size(int32_t r) const { return offsets[r + 1] - offsets[r]; }
  int64_t nnz() const { return static_cast<int64_t>(values.size()); }
};

// Rows = users, columns = items.
CsrMatrix group_by_user(const Ratings& ratings, int32_t n_users, int32_t n_items);
// Rows = items, columns = users (the CSC form of the user-item matrix).
CsrMatrix group_by_item(const Ratings& ratings, int32_t n_users, int32_t n_items);

// Per-row sums of values and counts of entries.
std::vector<double> row_sums(const CsrMatrix& m);
std::vector<int32_t> row_counts(const CsrMatrix& m);

// mask[id] is true for every id that occurs in `ids`; the mask has size n.
std::vector<bool> seen_mask(const std::vector<int32_t>& ids, int32_t n);

}  // namespace alphas
