// Small dense vector loops of the sparse kernels, written so the compiler
// vectorizes them without reassociating floating-point sums.
#pragma once

#include <cstdint>

namespace alphas::autoencoder {

// y += a * x over n elements.
inline void axpy(float a, const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// x . y, summed in 16 independent lanes combined in a fixed order, so the
// result is the same whatever vector width the compiler chose.
inline float dot(const float* __restrict x, const float* __restrict y, int64_t n) {
  constexpr int kLanes = 16;
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += x[i + l] * y[i + l];
  }
  float sum = 0.0f;
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  for (; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

}  // namespace alphas::autoencoder
