// The two large layers of the autoencoder computed sparsely, on raw float
// arrays (row-major), parallel over rows with TBB. Every output element is
// summed by one thread in a fixed order, so results do not depend on the
// number of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "batch.hpp"

namespace alphas::autoencoder {

// The gradient of a (rows x width) parameter that is zero outside a few
// rows: `rows` is sorted and unique, `values` contains rows.size() x width.
struct RowSparseGradient {
  int64_t width = 0;
  std::vector<int64_t> rows;
  std::vector<float> values;

  // Adds this gradient into a dense (n_rows x width) array.
  void add_to(float* dense) const;
};

// Sparse input layer, z = x W + b for a sparse x:
//   z[b, :] = bias + sum_k x_k W[c_k, :] over the nonzero entries k of sample b.
// W is (input_width x hidden), z is (batch.size x hidden).
void sparse_input_forward(const SparseBatch& batch, const float* weight, const float* bias,
                          int64_t hidden, float* z);

// Its backward pass, given dL/dz (batch.size x hidden):
//   dL/dW[c, :] = sum over entries k with column c of x_k dL/dz[b_k, :]
//   dL/db       = sum_b dL/dz[b, :]
void sparse_input_backward(const SparseBatch& batch, const float* dz, int64_t hidden,
                           RowSparseGradient& weight_gradient, float* bias_gradient);

// Gathered output layer: only the outputs that are read,
//   y_k = h[b_k, :] . W[j_k, :] + bias[j_k]
// for every output entry k (sample b_k, item j_k) of the batch. W is
// (n_items x hidden), h is (batch.size x hidden).
void gathered_output_forward(const SparseBatch& batch, const float* h, const float* weight,
                             const float* bias, int64_t hidden, float* y);

// Its backward pass, given dL/dy per output entry:
//   dL/dh[b, :]  = sum over entries k of sample b of dL/dy_k W[j_k, :]
//   dL/dW[j, :]  = sum over entries k with item j of dL/dy_k h[b_k, :]
//   dL/dbias[j]  = sum over entries k with item j of dL/dy_k
void gathered_output_backward(const SparseBatch& batch, const float* h, const float* weight,
                              const float* dy, int64_t hidden, float* dh,
                              RowSparseGradient& weight_gradient,
                              RowSparseGradient& bias_gradient);

// Groups entries by row with a stable counting sort: returns the unique rows
// in increasing order and, in `order` (size n) with `starts`
// (unique rows + 1), the entry indices of each row in increasing order.
std::vector<int64_t> group_entries_by_row(const int64_t* rows, int64_t n, int64_t n_rows,
                                          std::vector<int64_t>& order,
                                          std::vector<int64_t>& starts);

}  // namespace alphas::autoencoder
