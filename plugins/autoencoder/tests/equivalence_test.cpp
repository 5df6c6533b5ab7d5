// The sparse formulation against the dense one on the same weights and
// batch: loss, every gradient and predictions agree within 1e-5 relative,
// without dropout and with one shared dropout mask.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "formulations.hpp"
#include "test_data.hpp"

namespace alphas::autoencoder {
namespace {

constexpr double kRelative = 1e-5;

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

torch::Tensor to_dense(const ParameterGradient& g, const torch::Tensor& like) {
  if (!g.rows) return g.dense;
  torch::Tensor dense = torch::zeros_like(like).detach();
  g.rows->add_to(dense.data_ptr<float>());
  return dense;
}

struct Case {
  bool implicit_head;
  bool dropout;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(info.param.implicit_head ? "BothHeads" : "RatingHead") +
         (info.param.dropout ? "SharedDropout" : "NoDropout");
}

class EquivalenceTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    architecture.n_items = dataset.n_items;
    architecture.encoder_widths = {8, 6, 4};
    architecture.implicit_head = GetParam().implicit_head;
    network = std::make_unique<Network>(architecture, 11);
    // Nonzero biases, so every bias takes part in the comparison.
    torch::manual_seed(2);
    torch::NoGradGuard no_grad;
    for (NamedTensor& p : network->parameters()) {
      if (p.name.find("bias") != std::string::npos) p.tensor.copy_(0.1 * torch::randn_like(p.tensor));
    }
    weights.rating = 1.0 / data.training_baseline;
    weights.implicit = architecture.implicit_head ? 0.7 / std::log(dataset.n_items) : 0.0;
    for (std::size_t k = 0; k < dataset.training.size(); k += 3) {
      samples.push_back({dataset.training.user[k], dataset.training.item[k], 0.0f});
    }
  }

  Dataset dataset = testing::make_dataset(10, 14, 8);
  TrainingData data = testing::make_training_data_for(dataset);
  Architecture architecture;
  std::unique_ptr<Network> network;
  LossWeights weights;
  std::vector<Sample> samples;
};

TEST_P(EquivalenceTest, LossAndGradients) {
  std::optional<Dropout> dropout;
  if (GetParam().dropout) dropout = Dropout{0.5f, CounterRng(5, Stream::dropout, 17)};
  const BatchBuilder builder(data);
  // The sparse formulation applies the mask while building; the dense one
  // draws it over every input entry.
  const SparseBatch sparse_batch = builder.build(samples, Outputs::reconstruction, dropout);
  const SparseBatch dense_batch = builder.build(samples, Outputs::reconstruction);
  ASSERT_GT(sparse_batch.output_count(), 10);

  Gradients sparse_gradients, dense_gradients;
  const LossValue sparse = sparse_loss(*network, sparse_batch, weights, &sparse_gradients);
  const LossValue dense = dense_loss(*network, dense_batch, weights, dropout, &dense_gradients);

  EXPECT_GT(sparse.rating, 0.0);
  EXPECT_NEAR(sparse.rating, dense.rating, kRelative * dense.rating);
  EXPECT_NEAR(sparse.implicit, dense.implicit, kRelative * std::abs(dense.implicit));
  EXPECT_NEAR(sparse.total, dense.total, kRelative * dense.total);
  if (GetParam().implicit_head) {
    EXPECT_GT(dense.implicit, 0.0);
  }

  const std::vector<NamedTensor>& parameters = network->parameters();
  ASSERT_EQ(sparse_gradients.size(), parameters.size());
  ASSERT_EQ(dense_gradients.size(), parameters.size());
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const torch::Tensor expected = dense_gradients[k].dense;
    const torch::Tensor actual = to_dense(sparse_gradients[k], parameters[k].tensor);
    ASSERT_TRUE(actual.sizes().equals(expected.sizes())) << parameters[k].name;
    const double scale = max_abs(expected);
    EXPECT_GT(scale, 0.0) << parameters[k].name << " has no gradient";
    EXPECT_LE(max_abs(actual - expected), kRelative * scale) << parameters[k].name;
  }
}

TEST_P(EquivalenceTest, Predictions) {
  std::vector<Sample> users;
  std::vector<std::vector<int32_t>> requested;
  for (int32_t u = 0; u < dataset.n_users; ++u) {
    users.push_back({u, -1, 0.0f});
    requested.push_back({0, static_cast<int32_t>(u % dataset.n_items), dataset.n_items - 1});
  }
  const SparseBatch batch = BatchBuilder(data).build(users, Outputs::requested, std::nullopt, &requested);
  const std::vector<float> sparse = sparse_predict_ratings(*network, batch);
  const std::vector<float> dense = dense_predict_ratings(*network, batch);
  ASSERT_EQ(sparse.size(), dense.size());
  ASSERT_EQ(sparse.size(), 3u * dataset.n_users);
  double scale = 0;
  for (float d : dense) scale = std::max(scale, std::abs(static_cast<double>(d)));
  ASSERT_GT(scale, 0.0);
  for (std::size_t k = 0; k < sparse.size(); ++k) {
    EXPECT_NEAR(sparse[k], dense[k], kRelative * scale) << "output " << k;
  }
  if (GetParam().implicit_head) {
    const std::vector<float> p_sparse = predict_implicit(*network, batch, true);
    const std::vector<float> p_dense = predict_implicit(*network, batch, false);
    for (std::size_t k = 0; k < p_sparse.size(); ++k) {
      EXPECT_GT(p_dense[k], 0.0f);
      EXPECT_NEAR(p_sparse[k], p_dense[k], kRelative * p_dense[k]) << "output " << k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formulations, EquivalenceTest,
                         ::testing::Values(Case{false, false}, Case{false, true}, Case{true, false},
                                           Case{true, true}),
                         case_name);

}  // namespace
}  // namespace alphas::autoencoder
