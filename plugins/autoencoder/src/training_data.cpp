#include "training_data.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include <tbb/parallel_for.h>

#include "alphas/error.hpp"

namespace alphas::autoencoder {
namespace {

void check_aligned(const Ratings& reference, const Ratings& table, const std::string& what) {
  if (table.size() != reference.size()) {
    throw Error("autoencoder: " + what + " has " + std::to_string(table.size()) +
                " rows but the split has " + std::to_string(reference.size()) +
                "; rerun the alphas it is computed from");
  }
  for (std::size_t k = 0; k < table.size(); ++k) {
    if (table.user[k] != reference.user[k] || table.item[k] != reference.item[k]) {
      throw Error("autoencoder: row " + std::to_string(k) + " of " + what + " is (user " +
                  std::to_string(table.user[k]) + ", item " + std::to_string(table.item[k]) +
                  ") but the split has (user " + std::to_string(reference.user[k]) + ", item " +
                  std::to_string(reference.item[k]) + "); rerun the alphas it is computed from");
    }
  }
}

double mean_square(const std::vector<float>& values) {
  if (values.empty()) return 1.0;
  double sum = 0;
  for (float v : values) sum += static_cast<double>(v) * v;
  double mean = sum / static_cast<double>(values.size());
  // A target that is all zero would make every loss 0/0; 1 keeps it finite.
  return mean > 0 ? mean : 1.0;
}

// For each user, the listed items with a nonzero training target, in the
// order of the user's implicit list.
CsrMatrix join_listed_targets(const CsrMatrix& listed, const CsrMatrix& target_rows) {
  const int32_t n_users = listed.n_rows;
  CsrMatrix joined;
  joined.n_rows = n_users;
  joined.n_cols = listed.n_cols;
  joined.offsets.assign(static_cast<std::size_t>(n_users) + 1, 0);

  // Each user's targets sorted by item, for binary search.
  std::vector<std::pair<int32_t, float>> sorted(static_cast<std::size_t>(target_rows.nnz()));
  tbb::parallel_for(int32_t{0}, n_users, [&](int32_t u) {
    auto* begin = sorted.data() + target_rows.offsets[u];
    for (int64_t k = target_rows.offsets[u]; k < target_rows.offsets[u + 1]; ++k) {
      sorted[k] = {target_rows.cols[k], target_rows.values[k]};
    }
    std::sort(begin, sorted.data() + target_rows.offsets[u + 1]);
  });
  auto find_target = [&](int32_t u, int32_t item) -> float {
    auto* begin = sorted.data() + target_rows.offsets[u];
    auto* end = sorted.data() + target_rows.offsets[u + 1];
    auto* found = std::lower_bound(begin, end, std::make_pair(item, -std::numeric_limits<float>::infinity()));
    return (found != end && found->first == item) ? found->second : 0.0f;
  };

  std::vector<int64_t> counts(static_cast<std::size_t>(n_users), 0);
  tbb::parallel_for(int32_t{0}, n_users, [&](int32_t u) {
    if (u >= target_rows.n_rows) return;
    for (int64_t k = listed.offsets[u]; k < listed.offsets[u + 1]; ++k) {
      if (find_target(u, listed.cols[k]) != 0.0f) ++counts[u];
    }
  });
  for (int32_t u = 0; u < n_users; ++u) joined.offsets[u + 1] = joined.offsets[u] + counts[u];
  joined.cols.resize(static_cast<std::size_t>(joined.offsets[n_users]));
  joined.values.resize(joined.cols.size());
  tbb::parallel_for(int32_t{0}, n_users, [&](int32_t u) {
    if (u >= target_rows.n_rows) return;
    int64_t out = joined.offsets[u];
    for (int64_t k = listed.offsets[u]; k < listed.offsets[u + 1]; ++k) {
      float target = find_target(u, listed.cols[k]);
      if (target == 0.0f) continue;
      joined.cols[out] = listed.cols[k];
      joined.values[out] = target;
      ++out;
    }
  });
  return joined;
}

}  // namespace

TrainingData make_training_data(const Dataset& dataset, Ratings raw_training,
                                const Ratings& inputs, const Ratings& training_targets,
                                Ratings validation_targets) {
  check_aligned(dataset.training, raw_training, "the raw training ratings");
  check_aligned(dataset.training, inputs, "the residual inputs of training");
  check_aligned(dataset.training, training_targets, "the target residuals of training");
  check_aligned(dataset.validation, validation_targets, "the target residuals of validation");

  TrainingData data;
  data.n_users = dataset.n_users;
  data.n_items = dataset.n_items;
  data.scale_max = static_cast<float>(dataset.scale.max);

  data.inputs = group_by_user(inputs, dataset.n_users, dataset.n_items);
  data.listed = group_by_user(dataset.implicit_training, dataset.n_users, dataset.n_items);
  CsrMatrix target_rows = group_by_user(training_targets, dataset.n_users, dataset.n_items);
  data.targets = join_listed_targets(data.listed, target_rows);

  CsrMatrix raw_rows = group_by_user(raw_training, dataset.n_users, dataset.n_items);
  // group_by_user keeps the order of the source table, and both tables are
  // aligned with dataset.training, so the entries line up one to one.
  data.raw_values = std::move(raw_rows.values);
  raw_rows.values = data.raw_values;
  data.raw_sum = row_sums(raw_rows);
  data.rated_count = row_counts(raw_rows);
  data.listed_count = row_counts(data.listed);

  data.trained_item.assign(static_cast<std::size_t>(dataset.n_items), 0);
  for (int32_t item : data.targets.cols) data.trained_item[item] = 1;
  int64_t n_targets_possible = 0;
  for (float t : training_targets.rating) n_targets_possible += (t != 0.0f);
  data.rated_not_listed = n_targets_possible - data.targets.nnz();

  data.training_baseline = mean_square(training_targets.rating);
  data.validation_baseline = mean_square(validation_targets.rating);
  data.training = std::move(raw_training);
  data.validation = std::move(validation_targets);
  return data;
}

}  // namespace alphas::autoencoder
