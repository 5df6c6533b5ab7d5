#include "kernels.hpp"

#include <algorithm>
#include <cstring>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "vector_ops.hpp"

namespace alphas::autoencoder {
namespace {

// Sample index of each input entry.
std::vector<int64_t> entry_samples(const std::vector<int64_t>& offsets, int64_t size) {
  std::vector<int64_t> samples(static_cast<std::size_t>(offsets[size]));
  for (int64_t b = 0; b < size; ++b) {
    std::fill(samples.begin() + offsets[b], samples.begin() + offsets[b + 1], b);
  }
  return samples;
}

}  // namespace

void RowSparseGradient::add_to(float* dense) const {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    float* row = dense + rows[r] * width;
    const float* g = values.data() + static_cast<int64_t>(r) * width;
    for (int64_t h = 0; h < width; ++h) row[h] += g[h];
  }
}

std::vector<int64_t> group_entries_by_row(const int64_t* rows, int64_t n, int64_t n_rows,
                                          std::vector<int64_t>& order,
                                          std::vector<int64_t>& starts) {
  std::vector<int64_t> position(static_cast<std::size_t>(n_rows) + 1, 0);
  for (int64_t k = 0; k < n; ++k) ++position[rows[k] + 1];
  std::vector<int64_t> unique;
  starts.clear();
  for (int64_t r = 0; r < n_rows; ++r) {
    if (position[r + 1] > 0) {
      unique.push_back(r);
    }
    position[r + 1] += position[r];
  }
  for (int64_t r : unique) starts.push_back(position[r]);
  starts.push_back(n);
  order.resize(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) order[position[rows[k]]++] = k;
  return unique;
}

void sparse_input_forward(const SparseBatch& batch, const float* weight, const float* bias,
                          int64_t hidden, float* z) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, batch.size, 4),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t b = range.begin(); b < range.end(); ++b) {
      float* out = z + b * hidden;
      std::memcpy(out, bias, sizeof(float) * hidden);
      for (int64_t k = batch.input_offsets[b]; k < batch.input_offsets[b + 1]; ++k) {
        axpy(batch.input_values[k], weight + batch.input_columns[k] * hidden, out, hidden);
      }
    }
  });
}

void sparse_input_backward(const SparseBatch& batch, const float* dz, int64_t hidden,
                           RowSparseGradient& weight_gradient, float* bias_gradient) {
  const int64_t n = batch.input_nnz();
  std::vector<int64_t> order, starts;
  weight_gradient.width = hidden;
  weight_gradient.rows =
      group_entries_by_row(batch.input_columns.data(), n, batch.input_width, order, starts);
  const std::vector<int64_t> samples = entry_samples(batch.input_offsets, batch.size);
  const int64_t n_rows = static_cast<int64_t>(weight_gradient.rows.size());
  weight_gradient.values.assign(static_cast<std::size_t>(n_rows * hidden), 0.0f);

  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t r = range.begin(); r < range.end(); ++r) {
      float* out = weight_gradient.values.data() + r * hidden;
      for (int64_t s = starts[r]; s < starts[r + 1]; ++s) {
        const int64_t k = order[s];
        axpy(batch.input_values[k], dz + samples[k] * hidden, out, hidden);
      }
    }
  });

  std::fill(bias_gradient, bias_gradient + hidden, 0.0f);
  for (int64_t b = 0; b < batch.size; ++b) axpy(1.0f, dz + b * hidden, bias_gradient, hidden);
}

void gathered_output_forward(const SparseBatch& batch, const float* h, const float* weight,
                             const float* bias, int64_t hidden, float* y) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, batch.size, 4),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t b = range.begin(); b < range.end(); ++b) {
      const float* hb = h + b * hidden;
      for (int64_t k = batch.output_offsets[b]; k < batch.output_offsets[b + 1]; ++k) {
        const int64_t j = batch.output_items[k];
        y[k] = dot(hb, weight + j * hidden, hidden) + bias[j];
      }
    }
  });
}

void gathered_output_backward(const SparseBatch& batch, const float* h, const float* weight,
                              const float* dy, int64_t hidden, float* dh,
                              RowSparseGradient& weight_gradient,
                              RowSparseGradient& bias_gradient) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, batch.size, 4),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t b = range.begin(); b < range.end(); ++b) {
      float* out = dh + b * hidden;
      std::fill(out, out + hidden, 0.0f);
      for (int64_t k = batch.output_offsets[b]; k < batch.output_offsets[b + 1]; ++k) {
        axpy(dy[k], weight + batch.output_items[k] * hidden, out, hidden);
      }
    }
  });

  const int64_t n = batch.output_count();
  std::vector<int64_t> order, starts;
  std::vector<int64_t> rows =
      group_entries_by_row(batch.output_items.data(), n, batch.n_items, order, starts);
  const std::vector<int64_t> samples = entry_samples(batch.output_offsets, batch.size);
  const int64_t n_rows = static_cast<int64_t>(rows.size());
  weight_gradient.width = hidden;
  weight_gradient.rows = rows;
  weight_gradient.values.assign(static_cast<std::size_t>(n_rows * hidden), 0.0f);
  bias_gradient.width = 1;
  bias_gradient.rows = std::move(rows);
  bias_gradient.values.assign(static_cast<std::size_t>(n_rows), 0.0f);

  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t r = range.begin(); r < range.end(); ++r) {
      float* out = weight_gradient.values.data() + r * hidden;
      float bias_sum = 0.0f;
      for (int64_t s = starts[r]; s < starts[r + 1]; ++s) {
        const int64_t k = order[s];
        axpy(dy[k], h + samples[k] * hidden, out, hidden);
        bias_sum += dy[k];
      }
      bias_gradient.values[r] = bias_sum;
    }
  });
}

}  // namespace alphas::autoencoder
