// The linear blend of an ensemble and its per-step table.
#include <algorithm>
#include <cmath>
#include <limits>

#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/log.hpp"
#include "alphas/residuals.hpp"

namespace alphas {

BlendData load_blend_data(const std::vector<std::string>& alphas, PredictionStore& store) {
  BlendData data;
  data.alphas = alphas;
  data.scale = store.dataset().scale;
  data.validation_truth = store.dataset().validation.rating;
  data.test_truth = store.dataset().test.rating;
  for (const auto& alpha : alphas) {
    data.validation.push_back(store.predictions(alpha, Split::validation));
    data.test.push_back(store.predictions(alpha, Split::test));
  }
  return data;
}

std::vector<float> clamp_to_scale(std::vector<float> values, const RatingScale& scale) {
  const float low = static_cast<float>(scale.min);
  const float high = static_cast<float>(scale.max);
  for (float& value : values) value = std::min(std::max(value, low), high);
  return values;
}

std::vector<float> blend_predictions(const std::vector<std::vector<float>>& columns,
                                     const std::vector<double>& beta, const RatingScale& scale) {
  const std::size_t rows = columns.empty() ? 0 : columns.front().size();
  std::vector<double> sum(rows, 0.0);
  for (std::size_t a = 0; a < columns.size() && a < beta.size(); ++a) {
    for (std::size_t r = 0; r < rows; ++r) sum[r] += beta[a] * columns[a][r];
  }
  return clamp_to_scale(std::vector<float>(sum.begin(), sum.end()), scale);
}

SplitMetrics split_metrics(const std::vector<float>& prediction, const std::vector<float>& truth) {
  SplitMetrics result;
  result.n = truth.size();
  if (truth.empty()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    result.metrics.rmse = result.metrics.mae = result.metrics.r2 = nan;
    return result;
  }
  result.metrics = compute_metrics(prediction, truth, 1.0);
  return result;
}

EnsembleResult fit_ensemble(const std::string& name, const BlendData& data,
                            const StackerSettings& stacker, int threads) {
  if (data.alphas.empty()) throw InputError("ensemble '" + name + "' lists no alpha");
  // Without validation ratings least_squares returns beta = 0, a blend
  // that predicts the scale's minimum for every rating.
  if (data.validation_truth.empty()) {
    throw InputError("ensemble '" + name +
                     "' cannot be fitted: the validation split has no ratings, and the blend "
                     "weights are fitted on validation. A user with n ratings sends each to "
                     "validation with probability 0.1 (10/n from n = 100), so import more "
                     "ratings per user, or re-import with another split seed (seed in the "
                     "dataset settings, --seed)");
  }
  EnsembleResult result;
  result.name = name;
  result.alphas = data.alphas;
  result.scale = data.scale;

  // Step k blends the first k alphas in recipe order:
  //   beta_k = argmin || y_val - X_val[:, :k] beta ||^2   (no intercept),
  //   prediction = clamp(X[:, :k] beta_k) on validation and test.
  for (std::size_t k = 1; k <= data.alphas.size(); ++k) {
    const std::vector<std::vector<float>> validation(data.validation.begin(),
                                                     data.validation.begin() + k);
    const std::vector<std::vector<float>> test(data.test.begin(), data.test.begin() + k);
    BlendStep step;
    step.alpha = data.alphas[k - 1];
    step.beta = least_squares(validation, data.validation_truth);
    step.validation = split_metrics(blend_predictions(validation, step.beta, data.scale),
                                    data.validation_truth);
    step.test = split_metrics(blend_predictions(test, step.beta, data.scale), data.test_truth);
    result.steps.push_back(std::move(step));
  }

  const BlendStep& last = result.steps.back();
  result.beta = last.beta;
  result.validation = last.validation;
  result.test = last.test;
  result.validation_prediction = blend_predictions(data.validation, result.beta, data.scale);
  result.test_prediction = blend_predictions(data.test, result.beta, data.scale);
  for (float value : result.validation_prediction) {
    if (!std::isfinite(value)) {
      throw NumericError("ensemble '" + name + "': the blend of validation is not finite; "
                         "check the inputs' predictions");
    }
  }

  result.stacker.settings = stacker;
  if (stacker.enabled) {
    result.stacker = fit_stacker(data, result.validation_prediction, result.test_prediction,
                                 stacker, threads);
    host_log().info("{}: stacker: {}", name,
                    stacker_summary(ensemble_to_json(result, nlohmann::json())["stacker"]));
  } else {
    result.stacker.skipped_reason = "turned off in the recipe (stacker: false)";
  }
  return result;
}

}  // namespace alphas
