#include <gtest/gtest.h>

#include <cmath>

#include "alphas/metrics.hpp"

namespace alphas {
namespace {

// prediction (1, 2, 3), truth (2, 2, 5):
//   errors 1, 0, 2 -> SSE 5, RMSE sqrt(5/3), MAE 1
//   mean(truth) = 3 -> SST 1 + 1 + 4 = 6 -> R^2 = 1 - 5/6
TEST(Metrics, HandComputedValues) {
  Metrics m = compute_metrics({1, 2, 3}, {2, 2, 5});
  EXPECT_NEAR(m.rmse, std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_NEAR(m.mae, 1.0, 1e-12);
  EXPECT_NEAR(m.r2, 1.0 - 5.0 / 6.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.b, 1.0);
}

// b = x.y / x.x = (2 + 4 + 15) / (1 + 4 + 9) = 21 / 14 = 1.5
TEST(Metrics, OneVariableScale) {
  EXPECT_NEAR(one_variable_scale({1, 2, 3}, {2, 2, 5}), 1.5, 1e-12);
  EXPECT_EQ(one_variable_scale({0, 0}, {1, 2}), 0.0);
}

// With b = 1.5 the errors are 0.5, -1, 0.5 -> SSE 1.5.
TEST(Metrics, ScaledMetricsUseFittedScale) {
  Metrics m = scaled_metrics({1, 2, 3}, {2, 2, 5});
  EXPECT_NEAR(m.b, 1.5, 1e-12);
  EXPECT_NEAR(m.rmse, std::sqrt(1.5 / 3.0), 1e-7);
  EXPECT_NEAR(mse({1, 2, 3}, {2, 2, 5}, 1.5), 0.5, 1e-7);
}

TEST(Metrics, CrossEntropyClampsZero) {
  EXPECT_NEAR(cross_entropy({0.5f, 0.25f}), (std::log(2.0) + std::log(4.0)) / 2, 1e-7);
  EXPECT_TRUE(std::isfinite(cross_entropy({0.0f})));
}

TEST(Metrics, SizeMismatchThrows) { EXPECT_ANY_THROW(compute_metrics({1, 2}, {1})); }

}  // namespace
}  // namespace alphas
