// Tests of minimize_log_space on functions whose minimum is known exactly.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "alphas/error.hpp"
#include "alphas/search.hpp"

namespace alphas {
namespace {

// Every point the objective was called with, and the value it returned.
struct Recorder {
  std::vector<std::vector<double>> points;
  std::vector<double> values;
};

// (log x - log a)^2 + (log y - log b)^2: minimum 0 at (a, b).
double log_bowl(const std::vector<double>& v, double a, double b) {
  const double dx = std::log(v[0]) - std::log(a);
  const double dy = std::log(v[1]) - std::log(b);
  return dx * dx + dy * dy;
}

TEST(MinimizeLogSpace, FindsKnownMinimum) {
  int calls = 0;
  const std::vector<SearchDimension> dimensions = {{"x", 1.0, 1e-4, 1e4},
                                                   {"y", 1.0, 1e-4, 1e4}};
  const SearchResult result = minimize_log_space(dimensions, [&](const std::vector<double>& v) {
    ++calls;
    return log_bowl(v, 3.0, 0.01);
  });
  ASSERT_EQ(result.values.size(), 2u);
  EXPECT_NEAR(result.values[0], 3.0, 3.0 * 1e-3);
  EXPECT_NEAR(result.values[1], 0.01, 0.01 * 1e-3);
  EXPECT_LT(result.objective, 1e-6);
  EXPECT_EQ(result.evaluations, calls);
  EXPECT_LE(calls, 60);
}

TEST(MinimizeLogSpace, OneDimension) {
  const SearchResult result =
      minimize_log_space({{"lambda", 10.0, 1e-3, 1e3}}, [](const std::vector<double>& v) {
        const double d = std::log(v[0]) - std::log(0.2);
        return 1.0 + d * d;
      });
  ASSERT_EQ(result.values.size(), 1u);
  EXPECT_NEAR(result.values[0], 0.2, 0.2 * 1e-3);
  EXPECT_NEAR(result.objective, 1.0, 1e-6);
}

TEST(MinimizeLogSpace, BoundsRespected) {
  // The unconstrained minimum x = 100 lies above the upper bound 10, so the
  // constrained minimum is at x = 10.
  Recorder recorder;
  const std::vector<SearchDimension> dimensions = {{"x", 1.0, 0.1, 10.0},
                                                   {"y", 1.0, 0.5, 2.0}};
  const SearchResult result = minimize_log_space(dimensions, [&](const std::vector<double>& v) {
    recorder.points.push_back(v);
    return log_bowl(v, 100.0, 1.0);
  });
  for (const auto& point : recorder.points) {
    EXPECT_GE(point[0], 0.1);
    EXPECT_LE(point[0], 10.0);
    EXPECT_GE(point[1], 0.5);
    EXPECT_LE(point[1], 2.0);
  }
  EXPECT_NEAR(result.values[0], 10.0, 1e-2);
  EXPECT_NEAR(result.values[1], 1.0, 1e-2);
  const double expected = std::pow(std::log(100.0) - std::log(10.0), 2);
  EXPECT_NEAR(result.objective, expected, 1e-4);
}

TEST(MinimizeLogSpace, ReturnsBestPointSeen) {
  // A noisy objective: the optimizer may end anywhere, but the result must
  // be the lowest value it was handed, with the point that produced it.
  Recorder recorder;
  const SearchResult result = minimize_log_space(
      {{"x", 1.0, 1e-2, 1e2}, {"y", 1.0, 1e-2, 1e2}},
      [&](const std::vector<double>& v) {
        const double noise = 0.05 * std::sin(1e3 * v[0] * v[1]);
        const double value = log_bowl(v, 2.0, 5.0) + noise;
        recorder.points.push_back(v);
        recorder.values.push_back(value);
        return value;
      },
      40);
  ASSERT_FALSE(recorder.values.empty());
  std::size_t best = 0;
  for (std::size_t i = 1; i < recorder.values.size(); ++i) {
    if (recorder.values[i] < recorder.values[best]) best = i;
  }
  EXPECT_EQ(result.objective, recorder.values[best]);
  EXPECT_EQ(result.values, recorder.points[best]);
  EXPECT_EQ(result.evaluations, static_cast<int>(recorder.values.size()));
}

TEST(MinimizeLogSpace, MaxEvaluationsRespected) {
  int calls = 0;
  const SearchResult result = minimize_log_space(
      {{"x", 1.0, 1e-4, 1e4}, {"y", 1.0, 1e-4, 1e4}},
      [&](const std::vector<double>& v) {
        ++calls;
        return log_bowl(v, 3.0, 0.01);
      },
      7);
  EXPECT_LE(calls, 7);
  EXPECT_EQ(result.evaluations, calls);
}

TEST(MinimizeLogSpace, FixedDimensionPassedThrough) {
  Recorder recorder;
  const SearchResult result =
      minimize_log_space({{"fixed", 0.5, 0.5, 0.5}, {"free", 1.0, 1e-3, 1e3}},
                         [&](const std::vector<double>& v) {
                           recorder.points.push_back(v);
                           const double d = std::log(v[1]) - std::log(7.0);
                           return d * d;
                         });
  for (const auto& point : recorder.points) EXPECT_EQ(point[0], 0.5);
  EXPECT_EQ(result.values[0], 0.5);
  EXPECT_NEAR(result.values[1], 7.0, 7.0 * 1e-3);
}

TEST(MinimizeLogSpace, AllFixedEvaluatesOnce) {
  int calls = 0;
  const SearchResult result =
      minimize_log_space({{"a", 2.0, 2.0, 2.0}}, [&](const std::vector<double>& v) {
        ++calls;
        return v[0] * 10;
      });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result.values, std::vector<double>{2.0});
  EXPECT_EQ(result.objective, 20.0);
}

struct ObjectiveFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(MinimizeLogSpace, ExceptionPropagatesUnchanged) {
  int calls = 0;
  auto objective = [&](const std::vector<double>& v) {
    if (++calls == 3) throw ObjectiveFailure("training diverged at call 3");
    return log_bowl(v, 3.0, 0.01);
  };
  try {
    minimize_log_space({{"x", 1.0, 1e-4, 1e4}, {"y", 1.0, 1e-4, 1e4}}, objective);
    FAIL() << "no exception";
  } catch (const ObjectiveFailure& error) {
    EXPECT_STREQ(error.what(), "training diverged at call 3");
  }
  EXPECT_EQ(calls, 3);  // nothing ran after the exception
}

TEST(MinimizeLogSpace, FrameworkErrorKeepsType) {
  auto objective = [](const std::vector<double>&) -> double {
    throw InputError("alpha 'X': parameter 'k' has invalid value -1");
  };
  EXPECT_THROW(minimize_log_space({{"x", 1.0, 0.1, 10.0}}, objective), InputError);
}

TEST(MinimizeLogSpace, NonFiniteCountsAsInfinity) {
  // Below x = 2.5 the "training" diverges; the minimum x = 3 lies just
  // above that edge, and the first step from x = 3.5 crosses it.
  Recorder recorder;
  const SearchResult result = minimize_log_space(
      {{"x", 3.5, 1e-4, 1e4}, {"y", 1.0, 1e-4, 1e4}}, [&](const std::vector<double>& v) {
        recorder.points.push_back(v);
        if (v[0] < 2.5) return std::numeric_limits<double>::quiet_NaN();
        return log_bowl(v, 3.0, 0.01);
      });
  int diverged = 0;
  for (const auto& point : recorder.points) diverged += point[0] < 2.5 ? 1 : 0;
  EXPECT_GT(diverged, 0) << "the test must reach the non-finite region";
  EXPECT_TRUE(std::isfinite(result.objective));
  EXPECT_GE(result.values[0], 2.5);
  EXPECT_NEAR(result.values[0], 3.0, 0.05);
  EXPECT_NEAR(result.values[1], 0.01, 0.01 * 0.05);
}

TEST(MinimizeLogSpace, InfinityIsNeverBest) {
  const SearchResult result =
      minimize_log_space({{"x", 1.0, 1e-2, 1e2}}, [](const std::vector<double>& v) {
        if (v[0] > 1.5) return -std::numeric_limits<double>::infinity();
        return std::abs(std::log(v[0]));
      });
  EXPECT_TRUE(std::isfinite(result.objective));
  EXPECT_LE(result.values[0], 1.5);
}

TEST(MinimizeLogSpace, AllNonFiniteThrows) {
  auto objective = [](const std::vector<double>&) {
    return std::numeric_limits<double>::quiet_NaN();
  };
  EXPECT_THROW(minimize_log_space({{"x", 1.0, 0.1, 10.0}}, objective, 10), NumericError);
}

TEST(MinimizeLogSpace, InvalidDimensionsRejected) {
  auto objective = [](const std::vector<double>&) { return 0.0; };
  const std::vector<std::vector<SearchDimension>> invalid = {
      {{"zero_lower", 1.0, 0.0, 10.0}},
      {{"negative_lower", 1.0, -1.0, 10.0}},
      {{"inverted", 1.0, 10.0, 0.1}},
      {{"initial_above", 20.0, 0.1, 10.0}},
      {{"initial_nan", std::nan(""), 0.1, 10.0}},
      {{"infinite_upper", 1.0, 0.1, std::numeric_limits<double>::infinity()}},
  };
  for (const auto& dimensions : invalid) {
    try {
      minimize_log_space(dimensions, objective);
      ADD_FAILURE() << "no InputError for " << dimensions[0].name;
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("'" + dimensions[0].name + "'"), std::string::npos)
          << error.what();
    }
  }
  EXPECT_THROW(minimize_log_space({{"x", 1.0, 0.1, 10.0}}, objective, 0), InputError);
  EXPECT_THROW(minimize_log_space({{"x", 1.0, 0.1, 10.0}}, objective, 10, 0.0), InputError);
}

}  // namespace
}  // namespace alphas
