// Early stopping fed a scripted sequence of validation losses, with the
// smoothed values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "early_stopping.hpp"

namespace alphas::autoencoder {
namespace {

struct Step {
  double loss;
  double smoothed;
  bool improved;
  bool stop;
};

TEST(EarlyStopping, ScriptedLosses) {
  EarlyStopping stopping({/*patience=*/3, /*smoothing=*/0.5, /*min_improvement=*/0.01});
  // smoothed = 0.5 * best + 0.5 * loss after the first evaluation.
  const std::vector<Step> script = {
      {1.00, 1.000, true, false},   // first: smoothed = loss
      {0.80, 0.900, true, false},   // 0.5 + 0.4
      {0.79, 0.845, true, false},   // 0.45 + 0.395
      {0.84, 0.8425, false, false}, // lower than best, but by less than 0.01
      {0.90, 0.8725, false, false},
      {0.70, 0.7725, true, false},  // improvement resets the count
      {0.80, 0.78625, false, false},
      {0.80, 0.78625, false, false},
      {0.80, 0.78625, false, true}, // third evaluation without improvement
  };
  for (std::size_t k = 0; k < script.size(); ++k) {
    const EarlyStopping::Verdict verdict = stopping.observe(script[k].loss);
    EXPECT_NEAR(verdict.smoothed, script[k].smoothed, 1e-12) << "evaluation " << k;
    EXPECT_EQ(verdict.improved, script[k].improved) << "evaluation " << k;
    EXPECT_EQ(verdict.stop, script[k].stop) << "evaluation " << k;
  }
  EXPECT_EQ(stopping.state().best_evaluation, 5);
  EXPECT_NEAR(stopping.state().best, 0.7725, 1e-12);
  EXPECT_EQ(stopping.state().evaluations, 9);
}

TEST(EarlyStopping, NanLossNeverImproves) {
  EarlyStopping stopping({2, 0.9, 1e-4});
  EXPECT_TRUE(stopping.observe(1.0).improved);
  EXPECT_FALSE(stopping.observe(std::nan("")).improved);
  EXPECT_TRUE(stopping.observe(std::nan("")).stop);
}

TEST(EarlyStopping, ResumesFromState) {
  EarlyStopping first({3, 0.5, 0.01});
  first.observe(1.0);
  first.observe(2.0);
  EarlyStopping resumed({3, 0.5, 0.01}, first.state());
  EarlyStopping straight({3, 0.5, 0.01});
  straight.observe(1.0);
  straight.observe(2.0);
  for (double loss : {0.5, 3.0, 3.0}) {
    const auto a = resumed.observe(loss);
    const auto b = straight.observe(loss);
    EXPECT_EQ(a.smoothed, b.smoothed);
    EXPECT_EQ(a.improved, b.improved);
    EXPECT_EQ(a.stop, b.stop);
  }
}

}  // namespace
}  // namespace alphas::autoencoder
