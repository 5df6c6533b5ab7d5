#include "matrix_factorization_alpha.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include <tbb/task_arena.h>

#include "alphas/error.hpp"
#include "alphas/param_checks.hpp"
#include "alphas/log.hpp"
#include "alphas/metrics.hpp"
#include "alphas/search.hpp"

namespace alphas::mf {
namespace {

constexpr const char* kFamily = "MatrixFactorization";

// The largest K accepted. An update of one user's factors solves a K x K
// system (K^3 / 3 flops, 4 K^2 bytes), so K = 4096 already takes about
// 2e10 flops per user.
constexpr int32_t kMaxFactors = 4096;

}  // namespace

MatrixFactorizationSettings read_settings(AlphaParams& params) {
  MatrixFactorizationSettings settings;

  settings.factors =
      size_param_or_name_suffix(params, "number of factors", "MatrixFactorization.10");
  if (settings.factors > kMaxFactors) {
    params.reject("K", std::to_string(settings.factors),
                  "it must be <= " + std::to_string(kMaxFactors) +
                      " because every ALS update solves a K x K system per user and per item");
  }

  settings.lambda_user = optional_nonnegative_param(params, "lambda_u");
  settings.lambda_item = optional_nonnegative_param(params, "lambda_a");
  settings.lambda_initial = params.get<double>("lambda_initial", settings.lambda_initial);
  settings.lambda_lower = params.get<double>("lambda_lower", settings.lambda_lower);
  settings.lambda_upper = params.get<double>("lambda_upper", settings.lambda_upper);
  if (!(settings.lambda_lower > 0 && settings.lambda_lower <= settings.lambda_initial &&
        settings.lambda_initial <= settings.lambda_upper &&
        std::isfinite(settings.lambda_upper))) {
    params.reject("lambda_initial",
                  format_param_number(settings.lambda_initial) + " with bounds [" +
                      format_param_number(settings.lambda_lower) + ", " +
                      format_param_number(settings.lambda_upper) + "]",
                  "the search needs 0 < lambda_lower <= lambda_initial <= lambda_upper < inf");
  }

  settings.search_evaluations =
      positive_int_param(params, "search_evaluations", settings.search_evaluations);
  settings.tuning_iterations =
      positive_int_param(params, "tuning_iterations", settings.tuning_iterations);
  settings.max_iterations = positive_int_param(params, "max_iterations", settings.max_iterations);
  settings.patience = positive_int_param(params, "patience", settings.patience);
  settings.tolerance = nonnegative_param(params, "tolerance", settings.tolerance);
  return settings;
}

void MatrixFactorizationAlpha::configure(AlphaParams& params) { settings_ = read_settings(params); }

void MatrixFactorizationAlpha::load(AlphaContext& context) {
  const Dataset& dataset = context.dataset();
  tbb::task_arena arena(std::max(1, context.threads()));
  arena.execute([&] {
    const Ratings training = context.residuals(Split::training);
    by_user_ = group_by_user(training, dataset.n_users, dataset.n_items);
    by_item_ = group_by_item(training, dataset.n_users, dataset.n_items);
  });
  validation_ = context.target_residuals(Split::validation);

  const int32_t smaller_side = std::min(dataset.n_users, dataset.n_items);
  if (settings_.factors > smaller_side) {
    context.log().warn("K = {} is larger than min(users, items) = {}; the extra factors only "
                       "add regularized directions",
                       settings_.factors, smaller_side);
  }
  context.log().info("{} training residuals of {} users x {} items, {} validation pairs",
                     by_user_.nnz(), dataset.n_users, dataset.n_items, validation_.size());
}

double MatrixFactorizationAlpha::validation_loss(const AlsModel& model) const {
  const std::vector<float> prediction = model.predict(validation_.user, validation_.item);
  const double scale = one_variable_scale(prediction, validation_.rating);
  return mse(prediction, validation_.rating, scale);
}

void MatrixFactorizationAlpha::tune_lambdas(AlphaContext& context, AlsOptions& options) {
  if (settings_.lambda_user && settings_.lambda_item) return;
  if (validation_.empty()) {
    throw InputError(context.name() +
                     ": the validation split is empty, so lambda_u and lambda_a cannot be "
                     "tuned; set both in the recipe's params");
  }

  // Scaling U by c and A by 1/c leaves U Aᵀ unchanged and turns the penalty
  // into λu c² |U|² + λa |A|² / c², so at the optimum the predictions depend
  // on λu λa only. With both lambdas open the search therefore tunes one
  // common λ = λu = λa, because a second dimension would be a flat ridge.
  // With one lambda fixed, the search tunes the other.
  const char* dimension_name = settings_.lambda_user   ? "lambda_a"
                               : settings_.lambda_item ? "lambda_u"
                                                       : "lambda_u=lambda_a";
  const std::vector<SearchDimension> dimensions = {
      {dimension_name, settings_.lambda_initial, settings_.lambda_lower, settings_.lambda_upper}};
  auto apply = [&](const std::vector<double>& values, AlsOptions& target) {
    if (!settings_.lambda_user) target.lambda_user = values[0];
    if (!settings_.lambda_item) target.lambda_item = values[0];
  };

  // Each candidate is a short run from the same seeded start, scored by the
  // best b-scaled validation MSE of those iterations.
  AlsOptions short_run = options;
  short_run.max_iterations = settings_.tuning_iterations;
  short_run.patience = settings_.tuning_iterations;
  const auto objective = [&](const std::vector<double>& values) {
    AlsOptions candidate = short_run;
    apply(values, candidate);
    try {
      const AlsFit fit = fit_als(by_user_, by_item_, candidate,
                                 [&](const AlsModel& model) { return validation_loss(model); });
      context.log().debug("lambda_u = {:.6g}, lambda_a = {:.6g}: validation MSE {:.6f}",
                          candidate.lambda_user, candidate.lambda_item, fit.best_loss);
      return fit.best_loss;
    } catch (const NumericError& error) {
      context.log().warn("lambda_u = {:.6g}, lambda_a = {:.6g} diverged: {}",
                         candidate.lambda_user, candidate.lambda_item, error.what());
      return std::numeric_limits<double>::infinity();  // the search counts it as +infinity
    }
  };

  const SearchResult result =
      minimize_log_space(dimensions, objective, settings_.search_evaluations,
                         kDefaultSearchTolerance, context.log());
  apply(result.values, options);
  context.record("search_evaluations", result.evaluations);
  context.log().info("tuned lambda_u = {:.6g}, lambda_a = {:.6g} in {} short runs of {} "
                     "iterations (validation MSE {:.6f})",
                     options.lambda_user, options.lambda_item, result.evaluations,
                     settings_.tuning_iterations, result.objective);
}

void MatrixFactorizationAlpha::train(AlphaContext& context) {
  AlsOptions options;
  options.factors = settings_.factors;
  options.lambda_user = settings_.lambda_user.value_or(settings_.lambda_initial);
  options.lambda_item = settings_.lambda_item.value_or(settings_.lambda_initial);
  options.max_iterations = settings_.max_iterations;
  options.patience = settings_.patience;
  options.tolerance = settings_.tolerance;
  options.seed = context.seed();

  tbb::task_arena arena(std::max(1, context.threads()));
  arena.execute([&] {
    tune_lambdas(context, options);

    // Early stopping watches the b-scaled validation MSE, or the training
    // objective when there is no validation split.
    const bool use_validation = !validation_.empty();
    const LossFunction loss = [&](const AlsModel& model) {
      return use_validation ? validation_loss(model)
                            : training_objective(by_user_, model.users, model.items,
                                                 options.lambda_user, options.lambda_item);
    };
    Progress progress(context.log(), "ALS iterations", options.max_iterations);
    AlsFit fit = fit_als(by_user_, by_item_, options, loss, [&](int iteration, double value) {
      context.log().debug("iteration {}: {} {:.6f}", iteration,
                          use_validation ? "validation MSE" : "training objective", value);
      progress.update(iteration);
    });
    progress.finish();
    model_ = std::move(fit.model);

    context.record("lambda_u", options.lambda_user);
    context.record("lambda_a", options.lambda_item);
    context.record("iterations", fit.best_iteration);
    context.record("iterations_run", fit.iterations);
    context.record("stopping_loss", use_validation ? "validation_mse" : "training_objective");
    context.record("stopping_loss_value", fit.best_loss);
    context.log().info("kept iteration {} of {} ({} {:.6f})", fit.best_iteration, fit.iterations,
                       use_validation ? "validation MSE" : "training objective", fit.best_loss);
  });

  check_finite(kFamily, "user_factors", model_.users.values);
  check_finite(kFamily, "item_factors", model_.items.values);
}

void MatrixFactorizationAlpha::write(AlphaContext& context) {
  const int threads = context.threads();
  context.write_predictions(
      [this, threads](const std::vector<int32_t>& users, const std::vector<int32_t>& items) {
        tbb::task_arena arena(std::max(1, threads));
        std::vector<float> prediction;
        arena.execute([&] { prediction = model_.predict(users, items); });
        return prediction;
      });
}

}  // namespace alphas::mf
