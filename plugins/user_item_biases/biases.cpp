#include "biases.hpp"

#include <cmath>

#include <tbb/blocked_range.h>

#include "alphas/log.hpp"
#include "alphas/metrics.hpp"
#include "alphas/search.hpp"
#include <tbb/parallel_reduce.h>

namespace alphas::biases {
namespace {

// Mean of bias[r] over rows with at least one rating (0 if there are none).
double mean_over_seen(const std::vector<double>& bias, const CsrMatrix& m) {
  double sum = 0;
  int64_t count = 0;
  for (int32_t r = 0; r < m.n_rows; ++r) {
    if (m.row_size(r) == 0) continue;
    sum += bias[r];
    ++count;
  }
  return count > 0 ? sum / double(count) : 0.0;
}

// One half-sweep: bias[r] = (sum_k (value_k - other[col_k]) + mean * lambda)
//                           / (|row r| + lambda), for every row in parallel.
// Returns the largest change.
double update(std::vector<double>& bias, const std::vector<double>& other, const CsrMatrix& m,
              double lambda) {
  const double mean = mean_over_seen(bias, m);
  return tbb::parallel_reduce(
      tbb::blocked_range<int32_t>(0, m.n_rows), 0.0,
      [&](const tbb::blocked_range<int32_t>& range, double largest) {
        for (int32_t r = range.begin(); r != range.end(); ++r) {
          if (m.row_size(r) == 0) continue;
          double sum = 0;
          for (int64_t k = m.offsets[r]; k < m.offsets[r + 1]; ++k) {
            sum += m.values[k] - other[m.cols[k]];
          }
          const double next = (sum + mean * lambda) / (double(m.row_size(r)) + lambda);
          largest = std::max(largest, std::abs(next - bias[r]));
          bias[r] = next;
        }
        return largest;
      },
      [](double a, double b) { return std::max(a, b); });
}

}  // namespace

BiasModel fit(const CsrMatrix& by_user, const CsrMatrix& by_item, const FitOptions& options) {
  BiasModel model;
  model.user.assign(static_cast<std::size_t>(by_user.n_rows), 0.0);
  model.item.assign(static_cast<std::size_t>(by_item.n_rows), 0.0);
  for (model.iterations = 1; model.iterations <= options.max_iterations; ++model.iterations) {
    const double user_change = update(model.user, model.item, by_user, options.lambda_u);
    const double item_change = update(model.item, model.user, by_item, options.lambda_a);
    if (std::max(user_change, item_change) < options.tolerance) {
      model.converged = true;
      break;
    }
  }
  model.iterations = std::min(model.iterations, options.max_iterations);

  // Unseen users and items predict with the mean bias.
  model.user_mean = mean_over_seen(model.user, by_user);
  model.item_mean = mean_over_seen(model.item, by_item);
  for (int32_t u = 0; u < by_user.n_rows; ++u) {
    if (by_user.row_size(u) == 0) model.user[u] = model.user_mean;
  }
  for (int32_t i = 0; i < by_item.n_rows; ++i) {
    if (by_item.row_size(i) == 0) model.item[i] = model.item_mean;
  }
  return model;
}

FitOptions tune(const CsrMatrix& by_user, const CsrMatrix& by_item, const Ratings& validation,
                FitOptions options, int max_evaluations, double* best_mse,
                spdlog::logger* log) {
  auto validation_mse = [&](const std::vector<double>& lambdas) {
    FitOptions trial = options;
    trial.lambda_u = lambdas[0];
    trial.lambda_a = lambdas[1];
    BiasModel model = fit(by_user, by_item, trial);
    return mse(predict(model, validation.user, validation.item), validation.rating);
  };
  SearchResult best = minimize_log_space(
      {{"lambda_u", options.lambda_u, kLambdaLower, kLambdaUpper},
       {"lambda_a", options.lambda_a, kLambdaLower, kLambdaUpper}},
      validation_mse, max_evaluations, kDefaultSearchTolerance, log ? *log : host_log());
  options.lambda_u = best.values[0];
  options.lambda_a = best.values[1];
  if (best_mse) *best_mse = best.objective;
  return options;
}

std::vector<float> predict(const BiasModel& model, const std::vector<int32_t>& users,
                           const std::vector<int32_t>& items) {
  std::vector<float> out(users.size());
  for (std::size_t k = 0; k < users.size(); ++k) {
    out[k] = static_cast<float>(model.user[users[k]] + model.item[items[k]]);
  }
  return out;
}

}  // namespace alphas::biases
