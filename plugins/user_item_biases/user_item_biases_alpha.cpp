// The UserItemBiases alpha: per-user and per-item offsets with tuned ridge
// penalties. Usually the first alpha of a chain (no residual inputs).
#include <cmath>
#include <memory>
#include <string>

#include "alphas/param_checks.hpp"
#include "alphas/plugin_api.hpp"
#include "alphas/sparse.hpp"
#include "biases.hpp"

namespace alphas {
namespace {

// Recipe parameters, described with their defaults in
// docs/alphas/user_item_biases.md.
struct Settings {
  biases::FitOptions fit;
  bool tune = true;
  int search_evaluations = 40;
};

// Checks a penalty: finite and >= 0, and inside the search bounds when it
// is the search's starting point.
void check_lambda(AlphaParams& params, const std::string& key, double value, bool tune) {
  if (!std::isfinite(value) || value < 0) {
    params.reject(key, format_param_number(value), "it must be a finite number >= 0");
  } else if (tune && (value < biases::kLambdaLower || value > biases::kLambdaUpper)) {
    params.reject(key, format_param_number(value),
                  "with tune: true it is the search's starting point, so it must be from " +
                      format_param_number(biases::kLambdaLower) + " to " +
                      format_param_number(biases::kLambdaUpper));
  }
}

Settings read_settings(AlphaParams& params) {
  Settings settings;
  settings.tune = params.get<bool>("tune", settings.tune);
  settings.fit.lambda_u = params.get<double>("lambda_u", settings.fit.lambda_u);
  check_lambda(params, "lambda_u", settings.fit.lambda_u, settings.tune);
  settings.fit.lambda_a = params.get<double>("lambda_a", settings.fit.lambda_a);
  check_lambda(params, "lambda_a", settings.fit.lambda_a, settings.tune);
  settings.fit.tolerance = nonnegative_param(params, "tolerance", settings.fit.tolerance);
  settings.fit.max_iterations =
      positive_int_param(params, "max_iterations", settings.fit.max_iterations);
  settings.search_evaluations =
      positive_int_param(params, "search_evaluations", settings.search_evaluations);
  return settings;
}

class UserItemBiasesAlpha : public Alpha {
 public:
  void configure(AlphaParams& params) override { settings_ = read_settings(params); }

  void load(AlphaContext& context) override {
    const Dataset& data = context.dataset();
    const Ratings training = context.residuals(Split::training);
    by_user_ = group_by_user(training, data.n_users, data.n_items);
    by_item_ = group_by_item(training, data.n_users, data.n_items);
    validation_ = context.residuals(Split::validation);
    context.log().info("loaded {} training and {} validation ratings", training.size(),
                       validation_.size());
  }

  void train(AlphaContext& context) override {
    biases::FitOptions options = settings_.fit;
    if (settings_.tune) {
      double best_mse = 0;
      options = biases::tune(by_user_, by_item_, validation_, options,
                             settings_.search_evaluations, &best_mse, &context.log());
      context.log().info("tuned lambda_u = {:.6g}, lambda_a = {:.6g} (validation MSE {:.6f})",
                         options.lambda_u, options.lambda_a, best_mse);
    }

    model_ = biases::fit(by_user_, by_item_, options);
    if (!model_.converged) {
      context.log().warn(
          "biases did not converge to {:g} within {} iterations; raise max_iterations",
          options.tolerance, options.max_iterations);
    }
    check_finite("UserItemBiases", "user bias", model_.user);
    check_finite("UserItemBiases", "item bias", model_.item);
    context.record("lambda_u", options.lambda_u);
    context.record("lambda_a", options.lambda_a);
    context.record("iterations", model_.iterations);
    context.record("mean_user_bias", model_.user_mean);
    context.record("mean_item_bias", model_.item_mean);
  }

  void write(AlphaContext& context) override {
    context.write_predictions(
        [this](const std::vector<int32_t>& users, const std::vector<int32_t>& items) {
          return biases::predict(model_, users, items);
        });
  }

 private:
  Settings settings_;
  CsrMatrix by_user_;
  CsrMatrix by_item_;
  Ratings validation_;
  biases::BiasModel model_;
};

const char* const kFamilies[] = {"UserItemBiases", nullptr};
const char* const kDescriptions[] = {
    "r = u_i + a_j, ridge penalties toward the mean bias, lambdas tuned on validation", nullptr};

}  // namespace
}  // namespace alphas

ALPHAS_PLUGIN("user_item_biases", "1.0.0", alphas::kFamilies, alphas::kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "UserItemBiases") return std::make_unique<alphas::UserItemBiasesAlpha>();
  return nullptr;
}
