#include "item_cf_alpha.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <tbb/task_arena.h>

#include "alphas/error.hpp"
#include "alphas/param_checks.hpp"
#include "alphas/log.hpp"
#include "alphas/metrics.hpp"
#include "alphas/search.hpp"

namespace alphas::item_cf {
namespace {

constexpr const char* kFamily = "ItemCF";

// Search ranges of the tuned lambdas (initial value, lower, upper bound).
constexpr double kPowerInitial = 1.0;
constexpr double kPowerLower = 0.05;
constexpr double kSimilarityPowerUpper = 20.0;
constexpr double kRatingPowerUpper = 10.0;
constexpr double kShrinkageInitial = 1.0;
constexpr double kShrinkageLower = 1e-4;
constexpr double kShrinkageUpper = 1e4;

// The splitmix64 finalizer, for a seeded choice per pair index.
uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Throws NumericError naming the first item whose neighbor list contains a
// NaN or infinite similarity.
void check_similarities_finite(const NeighborLists& neighbors) {
  for (int32_t j = 0; j < neighbors.n_items(); ++j) {
    const std::vector<Neighbor>& list = neighbors.of(j);
    for (std::size_t n = 0; n < list.size(); ++n) {
      if (!std::isfinite(list[n].similarity)) {
        check_finite(kFamily,
                     "similarity of item " + std::to_string(j) + " to neighbor item " +
                         std::to_string(list[n].item),
                     &list[n].similarity, 1);
      }
    }
  }
}

}  // namespace

ItemCfSettings read_settings(AlphaParams& params) {
  ItemCfSettings settings;
  settings.neighbors = size_param_or_name_suffix(params, "number of neighbors", "ItemCF.256");

  settings.similarity_power = optional_nonnegative_param(params, "lambda1");
  settings.rating_power = optional_nonnegative_param(params, "lambda2");
  settings.shrinkage = optional_nonnegative_param(params, "lambda3");

  settings.search_evaluations =
      positive_int_param(params, "search_evaluations", settings.search_evaluations);
  settings.max_tuning_pairs = params.get<int64_t>("max_tuning_pairs", settings.max_tuning_pairs);
  if (settings.max_tuning_pairs < 1) {
    params.reject("max_tuning_pairs", std::to_string(settings.max_tuning_pairs), "it must be >= 1");
  }
  return settings;
}

void ItemCfAlpha::configure(AlphaParams& params) { settings_ = read_settings(params); }

void ItemCfAlpha::load(AlphaContext& context) {
  const Dataset& dataset = context.dataset();
  const Ratings training = context.residuals(Split::training);
  check_finite(kFamily, "training residuals", training.rating);
  tbb::task_arena arena(std::max(1, context.threads()));
  arena.execute([&] {
    by_user_ = group_by_user(training, dataset.n_users, dataset.n_items);
    by_item_ = group_by_item(training, dataset.n_users, dataset.n_items);
  });
  validation_ = context.target_residuals(Split::validation);
  context.log().info("{} training residuals of {} users x {} items, {} validation pairs",
                     by_user_.nnz(), dataset.n_users, dataset.n_items, validation_.size());
}

Ratings ItemCfAlpha::tuning_pairs(const AlphaContext& context) const {
  const auto total = static_cast<int64_t>(validation_.size());
  if (total <= settings_.max_tuning_pairs) return validation_;
  // Keep each pair with probability max_tuning_pairs / total, decided by a
  // hash of (seed, index) so the sample does not depend on threads.
  const double keep = double(settings_.max_tuning_pairs) / double(total);
  const uint64_t key = mix64(context.seed() ^ 0x7475E1ULL);
  Ratings sample;
  sample.reserve(static_cast<std::size_t>(settings_.max_tuning_pairs * 11 / 10));
  for (std::size_t n = 0; n < validation_.size(); ++n) {
    const double draw = double(mix64(key ^ mix64(n)) >> 11) * 0x1.0p-53;
    if (draw < keep) {
      sample.push_back(validation_.user[n], validation_.item[n], validation_.rating[n]);
    }
  }
  return sample;
}

void ItemCfAlpha::tune_lambdas(AlphaContext& context) {
  lambdas_.similarity_power = settings_.similarity_power.value_or(kPowerInitial);
  lambdas_.rating_power = settings_.rating_power.value_or(kPowerInitial);
  lambdas_.shrinkage = settings_.shrinkage.value_or(kShrinkageInitial);
  if (settings_.similarity_power && settings_.rating_power && settings_.shrinkage) return;
  if (validation_.empty()) {
    throw InputError(context.name() +
                     ": the validation split is empty, so lambda1, lambda2 and lambda3 cannot "
                     "be tuned; set all three in the recipe's params");
  }

  const Ratings pairs = tuning_pairs(context);
  FallbackCounts fallbacks;
  const ContributionTable table =
      gather_contributions(neighbors_, by_user_, pairs.user, pairs.item, &fallbacks);
  context.log().info("tuning on {} validation pairs with {} neighbor terms ({} MB); {} pairs "
                     "have no rated neighbor",
                     pairs.size(), table.contributions.size(),
                     table.contributions.size() * sizeof(Contribution) / (1 << 20),
                     fallbacks.pairs);

  // The search varies only the lambdas the recipe left open.
  std::vector<SearchDimension> dimensions;
  std::vector<double CfLambdas::*> fields;
  if (!settings_.similarity_power) {
    dimensions.push_back({"lambda1", kPowerInitial, kPowerLower, kSimilarityPowerUpper});
    fields.push_back(&CfLambdas::similarity_power);
  }
  if (!settings_.rating_power) {
    dimensions.push_back({"lambda2", kPowerInitial, kPowerLower, kRatingPowerUpper});
    fields.push_back(&CfLambdas::rating_power);
  }
  if (!settings_.shrinkage) {
    dimensions.push_back({"lambda3", kShrinkageInitial, kShrinkageLower, kShrinkageUpper});
    fields.push_back(&CfLambdas::shrinkage);
  }

  // Objective: validation MSE of b · r̂ with b the one-variable scale.
  const auto objective = [&](const std::vector<double>& values) {
    CfLambdas candidate = lambdas_;
    for (std::size_t d = 0; d < values.size(); ++d) candidate.*fields[d] = values[d];
    const std::vector<float> prediction = predict_gathered(table, candidate);
    const double scale = one_variable_scale(prediction, pairs.rating);
    return mse(prediction, pairs.rating, scale);
  };
  const SearchResult result =
      minimize_log_space(dimensions, objective, settings_.search_evaluations,
                         kDefaultSearchTolerance, context.log());
  for (std::size_t d = 0; d < fields.size(); ++d) lambdas_.*fields[d] = result.values[d];

  context.record("search_evaluations", result.evaluations);
  context.record("tuning_pairs", pairs.size());
  context.record("tuning_mse", result.objective);
  context.log().info("tuned lambda1 = {:.6g}, lambda2 = {:.6g}, lambda3 = {:.6g} in {} "
                     "evaluations (validation MSE {:.6f})",
                     lambdas_.similarity_power, lambdas_.rating_power, lambdas_.shrinkage,
                     result.evaluations, result.objective);
}

void ItemCfAlpha::train(AlphaContext& context) {
  tbb::task_arena arena(std::max(1, context.threads()));
  arena.execute([&] {
    const int32_t n_items = by_item_.n_rows;
    Progress progress(context.log(), "item similarities", n_items);
    neighbors_ = compute_neighbors(by_user_, by_item_, settings_.neighbors,
                                   [&](int64_t done) { progress.update(done); });
    progress.finish();
    if (settings_.neighbors > neighbors_.max_neighbors) {
      context.log().info("K = {} capped at {} (the other items of the catalog)",
                         settings_.neighbors, neighbors_.max_neighbors);
    }
    context.log().info("kept {} neighbors of {} items ({} MB)", neighbors_.total(), n_items,
                       neighbors_.total() * int64_t(sizeof(Neighbor)) / (1 << 20));

    check_similarities_finite(neighbors_);

    tune_lambdas(context);
  });

  check_finite(kFamily, "lambdas",
               std::vector<double>{lambdas_.similarity_power, lambdas_.rating_power,
                                   lambdas_.shrinkage});
  context.record("lambda1", lambdas_.similarity_power);
  context.record("lambda2", lambdas_.rating_power);
  context.record("lambda3", lambdas_.shrinkage);
  context.record("neighbors", neighbors_.max_neighbors);
  context.record("neighbor_entries", neighbors_.total());
}

void ItemCfAlpha::write(AlphaContext& context) {
  const int threads = context.threads();
  spdlog::logger& log = context.log();
  context.write_predictions([this, threads, &log](const std::vector<int32_t>& users,
                                                  const std::vector<int32_t>& items) {
    tbb::task_arena arena(std::max(1, threads));
    std::vector<float> prediction;
    FallbackCounts fallbacks;
    arena.execute(
        [&] { prediction = predict_pairs(neighbors_, by_user_, users, items, lambdas_, &fallbacks); });
    log.info("{} of {} pairs use the fallback 0 ({} of an item without training ratings, {} "
             "of a user who rated none of the item's neighbors)",
             fallbacks.pairs, users.size(), fallbacks.unseen_item, fallbacks.no_rated_neighbor);
    return prediction;
  });
}

}  // namespace alphas::item_cf
