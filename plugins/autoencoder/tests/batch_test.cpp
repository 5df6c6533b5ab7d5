// Batches built from per-user rows against inputs written out densely from
// the dataset's tables, the way the model is defined.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "batch.hpp"
#include "test_data.hpp"

namespace alphas::autoencoder {
namespace {

using testing::input_residual;
using testing::make_dataset;
using testing::make_training_data_for;
using testing::target_residual;

// The dense input of (user, held-out item) straight from the definition:
// [R[:, u] with x_i = 0, list[:, u] with entry i = 0, f, f^2, sqrt(f)].
std::vector<float> dense_input_by_definition(const Dataset& d, int32_t user, int32_t held_out) {
  const int64_t n = d.n_items;
  std::vector<float> x(2 * n + kFeatureCount, 0.0f);
  double raw_sum = 0;
  int64_t rated = 0, listed = 0;
  for (std::size_t k = 0; k < d.training.size(); ++k) {
    if (d.training.user[k] != user || d.training.item[k] == held_out) continue;
    x[d.training.item[k]] = input_residual(d.training.rating[k]);
    raw_sum += d.training.rating[k];
    ++rated;
  }
  for (std::size_t k = 0; k < d.implicit_training.size(); ++k) {
    if (d.implicit_training.user[k] != user || d.implicit_training.item[k] == held_out) continue;
    x[n + d.implicit_training.item[k]] = 1.0f;
    ++listed;
  }
  const double f[3] = {static_cast<double>(listed) / n, static_cast<double>(rated) / n,
                       raw_sum / std::max<int64_t>(rated, 1) / d.scale.max};
  for (int j = 0; j < 3; ++j) {
    x[2 * n + j] = static_cast<float>(f[j]);
    x[2 * n + 3 + j] = static_cast<float>(f[j] * f[j]);
    x[2 * n + 6 + j] = static_cast<float>(std::sqrt(f[j]));
  }
  return x;
}

std::vector<float> dense_row(const SparseBatch& batch, int64_t b) {
  std::vector<float> x(batch.input_width, 0.0f);
  for (int64_t k = batch.input_offsets[b]; k < batch.input_offsets[b + 1]; ++k) {
    x[batch.input_columns[k]] += batch.input_values[k];
  }
  return x;
}

class BatchTest : public ::testing::Test {
 protected:
  Dataset dataset = make_dataset(9, 13, 5);
  TrainingData data = make_training_data_for(dataset);
};

TEST_F(BatchTest, TrainingInputMatchesDefinition) {
  std::vector<Sample> samples;
  for (std::size_t k = 0; k < dataset.training.size(); ++k) {
    samples.push_back({dataset.training.user[k], dataset.training.item[k], 0.0f});
  }
  const SparseBatch batch = BatchBuilder(data).build(samples, Outputs::reconstruction);
  ASSERT_EQ(batch.size, static_cast<int64_t>(samples.size()));
  for (std::size_t b = 0; b < samples.size(); ++b) {
    const std::vector<float> expected = dense_input_by_definition(dataset, samples[b].user, samples[b].item);
    const std::vector<float> actual = dense_row(batch, static_cast<int64_t>(b));
    for (std::size_t c = 0; c < expected.size(); ++c) {
      ASSERT_NEAR(actual[c], expected[c], 1e-6) << "sample " << b << " column " << c;
    }
  }
}

TEST_F(BatchTest, TrainingTargetsSkipHeldOutItem) {
  const int32_t user = dataset.training.user[0];
  const int32_t held_out = dataset.training.item[0];
  const SparseBatch batch = BatchBuilder(data).build({{user, held_out, 0.0f}}, Outputs::reconstruction);

  std::set<int32_t> listed;
  for (std::size_t k = 0; k < dataset.implicit_training.size(); ++k) {
    if (dataset.implicit_training.user[k] == user) listed.insert(dataset.implicit_training.item[k]);
  }
  std::map<int64_t, float> expected;
  for (std::size_t k = 0; k < dataset.training.size(); ++k) {
    const int32_t item = dataset.training.item[k];
    const float t = target_residual(dataset.training.rating[k], item);
    if (dataset.training.user[k] == user && item != held_out && listed.count(item) && t != 0.0f) {
      expected[item] = t;
    }
  }
  std::map<int64_t, float> actual;
  for (int64_t k = 0; k < batch.output_count(); ++k) actual[batch.output_items[k]] = batch.output_targets[k];
  EXPECT_EQ(actual, expected);

  // The implicit target is the list without the held-out item, uniform.
  const int64_t n_implicit = batch.implicit_offsets[1];
  EXPECT_EQ(n_implicit, static_cast<int64_t>(listed.size()) - 1);
  for (int64_t k = 0; k < n_implicit; ++k) {
    EXPECT_NE(batch.implicit_items[k], held_out);
    EXPECT_FLOAT_EQ(batch.implicit_weights[k], 1.0f / static_cast<float>(n_implicit));
  }
}

TEST_F(BatchTest, ValidationInputAndTarget) {
  const int32_t user = dataset.validation.user[0];
  const int32_t item = dataset.validation.item[0];
  const SparseBatch batch = BatchBuilder(data).build({{user, item, 1.25f}}, Outputs::held_out);
  const std::vector<float> expected = dense_input_by_definition(dataset, user, -1);
  const std::vector<float> actual = dense_row(batch, 0);
  for (std::size_t c = 0; c < expected.size(); ++c) ASSERT_NEAR(actual[c], expected[c], 1e-6) << c;
  ASSERT_EQ(batch.output_count(), 1);
  EXPECT_EQ(batch.output_items[0], item);
  EXPECT_EQ(batch.output_targets[0], 1.25f);
}

TEST_F(BatchTest, UnseenUserHasOnlyZeroFeatures) {
  const int32_t unseen = dataset.n_users - 1;
  const std::vector<std::vector<int32_t>> requested = {{0, 3}};
  const SparseBatch batch =
      BatchBuilder(data).build({{unseen, -1, 0.0f}}, Outputs::requested, std::nullopt, &requested);
  EXPECT_EQ(batch.input_nnz(), 0);
  EXPECT_EQ(batch.output_items, (std::vector<int64_t>{0, 3}));
}

TEST_F(BatchTest, DropoutKeepsByRuleAndScales) {
  std::vector<Sample> samples;
  for (int32_t u = 0; u + 1 < dataset.n_users; ++u) samples.push_back({u, -1, 0.0f});
  const Dropout dropout{0.5f, CounterRng(7, Stream::dropout, 3)};
  const BatchBuilder builder(data);
  const SparseBatch full = builder.build(samples, Outputs::reconstruction);
  const SparseBatch dropped = builder.build(samples, Outputs::reconstruction, dropout);
  int64_t kept = 0;
  for (int64_t b = 0; b < full.size; ++b) {
    std::map<int64_t, float> survivors;
    for (int64_t k = dropped.input_offsets[b]; k < dropped.input_offsets[b + 1]; ++k) {
      survivors[dropped.input_columns[k]] = dropped.input_values[k];
    }
    for (int64_t k = full.input_offsets[b]; k < full.input_offsets[b + 1]; ++k) {
      const int64_t c = full.input_columns[k];
      if (dropout.keep(b, c, full.input_width)) {
        ASSERT_EQ(survivors.count(c), 1u) << "sample " << b << " column " << c;
        EXPECT_FLOAT_EQ(survivors[c], 2.0f * full.input_values[k]);
        ++kept;
      } else {
        EXPECT_EQ(survivors.count(c), 0u) << "sample " << b << " column " << c;
      }
    }
  }
  EXPECT_EQ(kept, dropped.input_nnz());
  // About half survive.
  EXPECT_GT(kept, full.input_nnz() / 4);
  EXPECT_LT(kept, 3 * full.input_nnz() / 4);
}

TEST_F(BatchTest, UnratedItemIsNotTrained) {
  EXPECT_EQ(data.trained_item[dataset.n_items - 1], 0);
  int64_t trained = 0;
  for (uint8_t t : data.trained_item) trained += t;
  EXPECT_GT(trained, dataset.n_items / 2);
}

}  // namespace
}  // namespace alphas::autoencoder
