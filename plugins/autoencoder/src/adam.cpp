#include "adam.hpp"

#include <algorithm>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace alphas::autoencoder {
namespace {

// Elements per parallel task: large enough to amortize scheduling, small
// enough to balance two to a few dozen threads on tensors of millions.
constexpr int64_t kChunk = 1 << 16;

// The element update with a gradient. Compiled for AVX-512, AVX2 and the
// baseline, chosen at load time: square root and division are exactly
// rounded at every vector width, so all three give identical results.
__attribute__((target_clones("avx512f", "avx2", "default")))
void update_with_gradient(float* __restrict w, float* __restrict m, float* __restrict v,
                          const float* __restrict g, int64_t n, AdamStep s) {
  for (int64_t i = 0; i < n; ++i) {
    const float mi = m[i] * s.beta1 + g[i] * s.one_minus_beta1;
    const float vi = v[i] * s.beta2 + g[i] * g[i] * s.one_minus_beta2;
    const float denom = std::sqrt(vi) * s.inverse_bias_correction2_sqrt + s.epsilon;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] + (-s.step_size) * (mi / denom);
  }
}

// The same update with g = 0.
__attribute__((target_clones("avx512f", "avx2", "default")))
void update_without_gradient(float* __restrict w, float* __restrict m, float* __restrict v,
                             int64_t n, AdamStep s) {
  for (int64_t i = 0; i < n; ++i) {
    const float mi = m[i] * s.beta1;
    const float vi = v[i] * s.beta2;
    const float denom = std::sqrt(vi) * s.inverse_bias_correction2_sqrt + s.epsilon;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] + (-s.step_size) * (mi / denom);
  }
}

}  // namespace

AdamStep::AdamStep(const AdamSettings& settings, int64_t t)
    : beta1(static_cast<float>(settings.beta1)),
      beta2(static_cast<float>(settings.beta2)),
      one_minus_beta1(static_cast<float>(1.0 - settings.beta1)),
      one_minus_beta2(static_cast<float>(1.0 - settings.beta2)),
      step_size(static_cast<float>(settings.learning_rate /
                                   (1.0 - std::pow(settings.beta1, static_cast<double>(t))))),
      bias_correction2_sqrt(
          static_cast<float>(std::sqrt(1.0 - std::pow(settings.beta2, static_cast<double>(t))))),
      inverse_bias_correction2_sqrt(
          static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(settings.beta2, static_cast<double>(t))))),
      epsilon(static_cast<float>(settings.epsilon)) {}

void adam_update_dense(float* weight, float* m, float* v, const float* gradient, int64_t n,
                       const AdamStep& step) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, kChunk),
                    [&](const tbb::blocked_range<int64_t>& range) {
    const int64_t begin = range.begin();
    update_with_gradient(weight + begin, m + begin, v + begin, gradient + begin,
                         range.end() - begin, step);
  });
}

void adam_update_row_sparse(float* weight, float* m, float* v, int64_t rows, int64_t width,
                            const RowSparseGradient& gradient, const AdamStep& step) {
  const int64_t rows_per_chunk = std::max<int64_t>(1, kChunk / std::max<int64_t>(width, 1));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, rows, rows_per_chunk),
                    [&](const tbb::blocked_range<int64_t>& range) {
    // The gradient rows inside this range, found by binary search.
    auto next = std::lower_bound(gradient.rows.begin(), gradient.rows.end(), range.begin());
    int64_t r = range.begin();
    while (r < range.end()) {
      const int64_t stop = (next != gradient.rows.end()) ? std::min(*next, range.end()) : range.end();
      if (stop > r) {
        update_without_gradient(weight + r * width, m + r * width, v + r * width,
                                (stop - r) * width, step);
        r = stop;
        continue;
      }
      const int64_t slot = next - gradient.rows.begin();
      update_with_gradient(weight + r * width, m + r * width, v + r * width,
                           gradient.values.data() + slot * width, width, step);
      ++r;
      ++next;
    }
  });
}

namespace {

// Replays the g = 0 steps row_steps[r] + 1 .. target of one row.
void catch_up_row(float* weight, float* m, float* v, int64_t width, int64_t& row_step,
                  int64_t target, const std::vector<AdamStep>& steps, int64_t r) {
  for (int64_t s = row_step + 1; s <= target; ++s) {
    update_without_gradient(weight + r * width, m + r * width, v + r * width, width, steps[s]);
  }
  if (target > row_step) row_step = target;
}

}  // namespace

void adam_catch_up_rows(float* weight, float* m, float* v, int64_t width, int64_t* row_steps,
                        const int64_t* rows, int64_t n_rows, int64_t target_step,
                        const std::vector<AdamStep>& steps) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t k = range.begin(); k < range.end(); ++k) {
      catch_up_row(weight, m, v, width, row_steps[rows[k]], target_step, steps, rows[k]);
    }
  });
}

void adam_catch_up_all(float* weight, float* m, float* v, int64_t width, int64_t* row_steps,
                       int64_t n_rows, int64_t target_step, const std::vector<AdamStep>& steps) {
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t r = range.begin(); r < range.end(); ++r) {
      catch_up_row(weight, m, v, width, row_steps[r], target_step, steps, r);
    }
  });
}

void adam_update_deferred(float* weight, float* m, float* v, int64_t* row_steps,
                          const RowSparseGradient& gradient, int64_t t,
                          const std::vector<AdamStep>& steps) {
  const int64_t width = gradient.width;
  const int64_t n_rows = static_cast<int64_t>(gradient.rows.size());
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t slot = range.begin(); slot < range.end(); ++slot) {
      const int64_t r = gradient.rows[slot];
      catch_up_row(weight, m, v, width, row_steps[r], t - 1, steps, r);
      update_with_gradient(weight + r * width, m + r * width, v + r * width,
                           gradient.values.data() + slot * width, width, steps[t]);
      row_steps[r] = t;
    }
  });
}

void adam_update_lazy(float* weight, float* m, float* v, int64_t width,
                      const RowSparseGradient& gradient, const AdamStep& step) {
  const int64_t n_rows = static_cast<int64_t>(gradient.rows.size());
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, n_rows, 64),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t slot = range.begin(); slot < range.end(); ++slot) {
      const int64_t r = gradient.rows[slot];
      update_with_gradient(weight + r * width, m + r * width, v + r * width,
                           gradient.values.data() + slot * width, width, step);
    }
  });
}

}  // namespace alphas::autoencoder
