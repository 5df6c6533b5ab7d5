// Error metrics of predictions against a target.
#pragma once

#include <vector>

namespace alphas {

struct Metrics {
  double rmse = 0;
  double mae = 0;
  double r2 = 0;  // 1 - SSE / SST with SST = sum (y - mean(y))^2
  double b = 1;   // the scale the prediction was multiplied by
};

// Least-squares scale of one variable without intercept:
//   b = argmin_b ||y - b x||^2 = (x . y) / (x . x), and 0 when x . x = 0.
double one_variable_scale(const std::vector<float>& x, const std::vector<float>& y);

// RMSE, MAE and R^2 of `scale * prediction` against `truth`.
Metrics compute_metrics(const std::vector<float>& prediction, const std::vector<float>& truth,
                        double scale = 1.0);

// compute_metrics after b-scaling: b = one_variable_scale(prediction, truth).
Metrics scaled_metrics(const std::vector<float>& prediction, const std::vector<float>& truth);

// Mean squared error of `scale * prediction` against `truth`.
double mse(const std::vector<float>& prediction, const std::vector<float>& truth,
           double scale = 1.0);

// Cross-entropy of an implicit alpha on held-out list pairs: -mean(log p),
// with p clamped to [1e-12, 1] so an exact zero gives a finite value.
double cross_entropy(const std::vector<float>& probability);

}  // namespace alphas
