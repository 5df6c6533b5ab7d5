#include "alphas/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "alphas/error.hpp"

namespace alphas {

namespace {

void check_same_size(const std::vector<float>& prediction, const std::vector<float>& truth) {
  if (prediction.size() != truth.size()) {
    throw Error("metrics: " + std::to_string(prediction.size()) + " predictions for " +
                std::to_string(truth.size()) + " targets");
  }
}

}  // namespace

double one_variable_scale(const std::vector<float>& x, const std::vector<float>& y) {
  check_same_size(x, y);
  double xy = 0, xx = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    xy += double(x[k]) * y[k];
    xx += double(x[k]) * x[k];
  }
  return xx > 0 ? xy / xx : 0.0;
}

Metrics compute_metrics(const std::vector<float>& prediction, const std::vector<float>& truth,
                        double scale) {
  check_same_size(prediction, truth);
  Metrics m;
  m.b = scale;
  const std::size_t n = truth.size();
  if (n == 0) return m;
  double mean = 0;
  for (float y : truth) mean += y;
  mean /= double(n);
  double sse = 0, sae = 0, sst = 0;
  for (std::size_t k = 0; k < n; ++k) {
    double error = double(truth[k]) - scale * prediction[k];
    sse += error * error;
    sae += std::abs(error);
    sst += (truth[k] - mean) * (truth[k] - mean);
  }
  m.rmse = std::sqrt(sse / double(n));
  m.mae = sae / double(n);
  m.r2 = sst > 0 ? 1.0 - sse / sst : 0.0;
  return m;
}

Metrics scaled_metrics(const std::vector<float>& prediction, const std::vector<float>& truth) {
  return compute_metrics(prediction, truth, one_variable_scale(prediction, truth));
}

double mse(const std::vector<float>& prediction, const std::vector<float>& truth, double scale) {
  check_same_size(prediction, truth);
  if (truth.empty()) return 0;
  double sse = 0;
  for (std::size_t k = 0; k < truth.size(); ++k) {
    double error = double(truth[k]) - scale * prediction[k];
    sse += error * error;
  }
  return sse / double(truth.size());
}

double cross_entropy(const std::vector<float>& probability) {
  if (probability.empty()) return 0;
  double sum = 0;
  for (float p : probability) sum -= std::log(std::clamp(double(p), 1e-12, 1.0));
  return sum / double(probability.size());
}

}  // namespace alphas
