// The fused Adam against torch::optim::Adam on the same gradients.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "adam.hpp"
#include "optimizer.hpp"

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

// The tensor-operation form that parameters off the CPU use, run here on CPU
// tensors: it follows torch::optim::Adam step for step.
TEST(TensorAdam, MatchesTorchAdam) {
  torch::manual_seed(5);
  const AdamSettings settings = test_settings();
  torch::Tensor reference = torch::randn({13, 7}).requires_grad_(true);
  torch::Tensor w = reference.detach().clone();
  torch::Tensor m = torch::zeros_like(w), v = torch::zeros_like(w);
  const torch::Tensor start = w.clone();
  torch::optim::Adam adam({reference}, torch_options(settings));

  for (int64_t t = 1; t <= 20; ++t) {
    // Every third step has a zero gradient, which still moves w.
    torch::Tensor g = t % 3 == 0 ? torch::zeros({13, 7}) : torch::randn({13, 7});
    reference.mutable_grad() = g.clone();
    adam.step();
    adam_update_tensors(w, m, v, g, AdamStep(settings, t));
    ASSERT_TRUE(torch::allclose(w, reference.detach(), 0, kTolerance)) << "step " << t;
  }
  EXPECT_GT((w - start).abs().max().item<float>(), 0.05f);
}

// The tensor form and the fused loop are the same update.
TEST(TensorAdam, MatchesFusedLoop) {
  torch::manual_seed(6);
  const AdamSettings settings = test_settings();
  torch::Tensor w_tensor = torch::randn({257});
  torch::Tensor w_fused = w_tensor.clone();
  torch::Tensor m_tensor = torch::zeros_like(w_tensor), v_tensor = torch::zeros_like(w_tensor);
  torch::Tensor m_fused = torch::zeros_like(w_tensor), v_fused = torch::zeros_like(w_tensor);
  const torch::Tensor start = w_tensor.clone();

  for (int64_t t = 1; t <= 10; ++t) {
    torch::Tensor g = torch::randn({257});
    const AdamStep step(settings, t);
    adam_update_tensors(w_tensor, m_tensor, v_tensor, g, step);
    adam_update_dense(w_fused.data_ptr<float>(), m_fused.data_ptr<float>(),
                      v_fused.data_ptr<float>(), g.data_ptr<float>(), g.numel(), step);
  }
  EXPECT_TRUE(torch::allclose(w_tensor, w_fused, 0, kTolerance));
  EXPECT_TRUE(torch::allclose(m_tensor, m_fused, 0, kTolerance));
  EXPECT_TRUE(torch::allclose(v_tensor, v_fused, 0, kTolerance));
  // Ten steps of lr 0.01 moved the weights by more than the tolerance.
  EXPECT_GT((w_fused - start).abs().max().item<float>(), 0.05f);
}

}  // namespace
}  // namespace alphas::autoencoder
