// The fused Adam against torch::optim::Adam on the same gradients.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adam.hpp"

namespace alphas::autoencoder {
namespace {

constexpr double kTolerance = 1e-6;

AdamSettings test_settings() {
  AdamSettings s;
  s.learning_rate = 1e-2;  // larger than the default so the weights move visibly
  s.beta1 = 0.9;
  s.beta2 = 0.999;
  s.epsilon = 1e-5;
  return s;
}

torch::optim::AdamOptions torch_options(const AdamSettings& s) {
  return torch::optim::AdamOptions(s.learning_rate).betas({s.beta1, s.beta2}).eps(s.epsilon);
}

TEST(FusedAdam, DenseMatchesTorchAdam) {
  torch::manual_seed(3);
  const AdamSettings settings = test_settings();
  // An odd size exercises the vector loop's remainder.
  torch::Tensor reference = torch::randn({1001}).requires_grad_(true);
  torch::Tensor w = reference.detach().clone();
  torch::Tensor m = torch::zeros_like(w), v = torch::zeros_like(w);
  torch::optim::Adam adam({reference}, torch_options(settings));

  for (int64_t t = 1; t <= 20; ++t) {
    torch::Tensor g = torch::randn({1001});
    reference.mutable_grad() = g.clone();
    adam.step();
    adam_update_dense(w.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(),
                      g.data_ptr<float>(), w.numel(), AdamStep(settings, t));
    ASSERT_TRUE(torch::allclose(w, reference.detach(), 0, kTolerance)) << "step " << t;
  }
  EXPECT_GT((w - torch::zeros_like(w)).abs().max().item<float>(), 0.0f);
}

TEST(FusedAdam, RowSparseMatchesTorchAdamOnDenseGradient) {
  torch::manual_seed(4);
  const AdamSettings settings = test_settings();
  const int64_t rows = 37, width = 5;
  torch::Tensor reference = torch::randn({rows, width}).requires_grad_(true);
  torch::Tensor w = reference.detach().clone();
  torch::Tensor m = torch::zeros_like(w), v = torch::zeros_like(w);
  torch::optim::Adam adam({reference}, torch_options(settings));

  for (int64_t t = 1; t <= 12; ++t) {
    // Rows 0, the last, and a step-dependent set in between.
    RowSparseGradient g;
    g.width = width;
    for (int64_t r = 0; r < rows; ++r) {
      if (r == 0 || r == rows - 1 || (r * 7 + t) % 5 == 0) g.rows.push_back(r);
    }
    torch::Tensor values = torch::randn({static_cast<int64_t>(g.rows.size()), width});
    g.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    torch::Tensor dense = torch::zeros({rows, width});
    g.add_to(dense.data_ptr<float>());

    reference.mutable_grad() = dense;
    adam.step();
    adam_update_row_sparse(w.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), rows,
                           width, g, AdamStep(settings, t));
    ASSERT_TRUE(torch::allclose(w, reference.detach(), 0, kTolerance)) << "step " << t;
  }
}

TEST(FusedAdam, LazyUpdatesOnlyGradientRows) {
  const AdamSettings settings = test_settings();
  const int64_t rows = 4, width = 3;
  std::vector<float> w(rows * width, 1.0f), m(rows * width, 0.0f), v(rows * width, 0.0f);
  RowSparseGradient g;
  g.width = width;
  g.rows = {2};
  g.values = {0.5f, -1.0f, 2.0f};
  adam_update_lazy(w.data(), m.data(), v.data(), width, g, AdamStep(settings, 1));

  // Step 1 by hand: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2, so
  // w = 1 - lr * g / (|g| + eps).
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t h = 0; h < width; ++h) {
      const float expected =
          r == 2 ? 1.0f - 0.01f * g.values[h] / (std::abs(g.values[h]) + 1e-5f) : 1.0f;
      EXPECT_NEAR(w[r * width + h], expected, 1e-6) << "row " << r << " column " << h;
    }
  }
}

TEST(FusedAdam, ZeroGradientRowsStillMoveUnderExactAdam) {
  const AdamSettings settings = test_settings();
  const int64_t rows = 2, width = 1;
  std::vector<float> w = {0.0f, 0.0f}, m = {0.0f, 0.0f}, v = {0.0f, 0.0f};
  RowSparseGradient both{width, {0, 1}, {1.0f, 1.0f}};
  adam_update_row_sparse(w.data(), m.data(), v.data(), rows, width, both, AdamStep(settings, 1));
  RowSparseGradient first{width, {0}, {1.0f}};
  adam_update_row_sparse(w.data(), m.data(), v.data(), rows, width, first, AdamStep(settings, 2));
  // Row 1 had g = 0 at step 2, yet its momentum moves it further.
  EXPECT_LT(w[1], -0.01f);
  EXPECT_NEAR(m[1], 0.09f, 1e-7);
}

}  // namespace
}  // namespace alphas::autoencoder
