// Adam (Kingma and Ba, 2015) as one pass over memory per parameter tensor.
//
// For step t (1-based), gradient g and learning rate lr:
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   w <- w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// the update of torch::optim::Adam without weight decay or amsgrad. A fused
// loop reads w, m, v and g once and writes w, m, v once, instead of the
// five passes of the tensor expression. It multiplies by 1 / sqrt(1 - beta2^t)
// where torch divides by sqrt(1 - beta2^t), which saves a division per
// element and changes the result by at most a rounding step.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.hpp"

namespace alphas::autoencoder {

struct AdamSettings {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-5;
};

// The scalars of one step.
struct AdamStep {
  float beta1, beta2, one_minus_beta1, one_minus_beta2;
  float step_size;                // lr / (1 - beta1^t)
  float bias_correction2_sqrt;          // sqrt(1 - beta2^t)
  float inverse_bias_correction2_sqrt;  // 1 / sqrt(1 - beta2^t)
  float epsilon;

  AdamStep(const AdamSettings& settings, int64_t t);
};

// Exact Adam on n elements with a dense gradient.
void adam_update_dense(float* weight, float* m, float* v, const float* gradient, int64_t n,
                       const AdamStep& step);

// Exact Adam on a (rows x width) parameter whose gradient is zero outside
// gradient.rows: every row is updated (g = 0 decays m and v and still moves
// w), in one pass over all rows.
void adam_update_row_sparse(float* weight, float* m, float* v, int64_t rows, int64_t width,
                            const RowSparseGradient& gradient, const AdamStep& step);

// Exact Adam with deferred zero-gradient steps. A row without gradient at a
// step is left alone and its step counter `row_steps[r]` falls behind; it is
// brought up to date by replaying the missed g = 0 updates, with the same
// arithmetic in the same order as adam_update_row_sparse, when it is next
// read (adam_catch_up_rows) or has a gradient (adam_update_deferred). The
// weights are therefore bit-identical to adam_update_row_sparse while memory
// traffic shrinks to the rows in use. `steps[s]` contains the scalars of step s
// (index 0 unused).
void adam_catch_up_rows(float* weight, float* m, float* v, int64_t width, int64_t* row_steps,
                        const int64_t* rows, int64_t n_rows, int64_t target_step,
                        const std::vector<AdamStep>& steps);
void adam_catch_up_all(float* weight, float* m, float* v, int64_t width, int64_t* row_steps,
                       int64_t n_rows, int64_t target_step, const std::vector<AdamStep>& steps);
// Applies step `t` to the gradient rows, each first caught up to t - 1.
void adam_update_deferred(float* weight, float* m, float* v, int64_t* row_steps,
                          const RowSparseGradient& gradient, int64_t t,
                          const std::vector<AdamStep>& steps);

// Lazy Adam: only the rows in gradient.rows are updated, with the global step
// t in the bias corrections (the rule of torch.optim.SparseAdam). A different
// optimizer from Adam: rows without gradient keep stale moments.
void adam_update_lazy(float* weight, float* m, float* v, int64_t width,
                      const RowSparseGradient& gradient, const AdamStep& step);

}  // namespace alphas::autoencoder
