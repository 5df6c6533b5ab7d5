#include "als_training.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "alphas/error.hpp"

namespace alphas::mf {

std::vector<float> AlsModel::predict(const std::vector<int32_t>& user_ids,
                                     const std::vector<int32_t>& item_ids) const {
  if (user_ids.size() != item_ids.size()) {
    throw Error("MatrixFactorization: " + std::to_string(user_ids.size()) + " users but " +
                std::to_string(item_ids.size()) + " items in a prediction request");
  }
  std::vector<float> prediction(user_ids.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, user_ids.size(), 4096),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t n = range.begin(); n != range.end(); ++n) {
                        const int32_t u = user_ids[n];
                        const int32_t i = item_ids[n];
                        if (u < 0 || u >= users.rows || i < 0 || i >= items.rows) {
                          throw Error("MatrixFactorization: pair (user " + std::to_string(u) +
                                      ", item " + std::to_string(i) +
                                      ") is outside the trained " +
                                      std::to_string(users.rows) + " users x " +
                                      std::to_string(items.rows) + " items");
                        }
                        prediction[n] = static_cast<float>(dot_rows(users, u, items, i));
                      }
                    });
  return prediction;
}

AlsFit fit_als(const CsrMatrix& by_user, const CsrMatrix& by_item, const AlsOptions& options,
               const LossFunction& loss, const IterationCallback& on_iteration) {
  AlsModel current{FactorMatrix(by_user.n_rows, options.factors),
                   FactorMatrix(by_item.n_rows, options.factors)};
  initialize_gaussian(current.items, options.seed, /*stream=*/1);

  AlsFit fit;
  fit.best_loss = std::numeric_limits<double>::infinity();
  double reference = std::numeric_limits<double>::infinity();  // loss at the last improvement
  int stalled = 0;

  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    solve_all_rows(by_user, current.items, options.lambda_user, current.users);
    solve_all_rows(by_item, current.users, options.lambda_item, current.items);

    const double value = loss(current);
    fit.iterations = iteration;
    fit.losses.push_back(value);
    if (on_iteration) on_iteration(iteration, value);
    if (!std::isfinite(value)) {
      throw NumericError("MatrixFactorization: the loss is " + std::to_string(value) +
                         " after iteration " + std::to_string(iteration) + " (K = " +
                         std::to_string(options.factors) + ", lambda_u = " +
                         std::to_string(options.lambda_user) + ", lambda_a = " +
                         std::to_string(options.lambda_item) +
                         "); increase lambda_u and lambda_a");
    }

    if (value < fit.best_loss) {
      fit.best_loss = value;
      fit.best_iteration = iteration;
      fit.model = current;
    }
    // A relative improvement of at least `tolerance` resets the patience.
    if (value < reference - options.tolerance * std::abs(reference) ||
        !std::isfinite(reference)) {
      reference = value;
      stalled = 0;
    } else if (++stalled >= options.patience) {
      break;
    }
  }
  if (fit.iterations == 0) fit.model = current;
  return fit;
}

}  // namespace alphas::mf
