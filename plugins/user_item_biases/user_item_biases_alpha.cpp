// The UserItemBiases alpha: per-user and per-item offsets with tuned ridge
// penalties. Usually the first alpha of a chain (no residual inputs).
#include <memory>

#include "alphas/plugin_api.hpp"
#include "alphas/sparse.hpp"
#include "biases.hpp"

namespace alphas {
namespace {

class UserItemBiasesAlpha : public Alpha {
 public:
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
    biases::FitOptions options;
    options.lambda_u = context.param<double>("lambda_u", 1.0);
    options.lambda_a = context.param<double>("lambda_a", 1.0);
    options.tolerance = context.param<double>("tolerance", 1e-9);
    options.max_iterations = context.param<int>("max_iterations", 10000);
    const bool tune = context.param<bool>("tune", true);
    const int evaluations = context.param<int>("search_evaluations", 40);

    if (tune) {
      double best_mse = 0;
      options = biases::tune(by_user_, by_item_, validation_, options, evaluations, &best_mse,
                             &context.log());
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
