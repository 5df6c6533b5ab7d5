// Tests of the ALS kernels: the row solve, the initialization, the training
// loop and the adversarial case of more factors than ratings.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "alphas/error.hpp"
#include "alphas/sparse.hpp"
#include "als.hpp"
#include "als_training.hpp"

namespace alphas::mf {
namespace {

FactorMatrix make_factors(int32_t rows, int32_t factors, const std::vector<float>& values) {
  FactorMatrix m(rows, factors);
  m.values = values;
  return m;
}

// Solves a 3x3 system by Cramer's rule: an implementation independent of
// the Eigen decompositions used by the code under test.
std::vector<double> solve_3x3(const double a[3][3], const double b[3]) {
  auto det = [](const double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  };
  const double d = det(a);
  std::vector<double> x(3);
  for (int c = 0; c < 3; ++c) {
    double replaced[3][3];
    for (int r = 0; r < 3; ++r) {
      for (int k = 0; k < 3; ++k) replaced[r][k] = (k == c) ? b[r] : a[r][k];
    }
    x[c] = det(replaced) / d;
  }
  return x;
}

TEST(SolveRidgeRow, MatchesNormalEquations) {
  // Four item rows of K = 3 factors; the user rated items 0, 2, 3.
  const FactorMatrix items = make_factors(
      4, 3, {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.5f, -1.0f, 0.75f, 1.0f, 2.0f, 1.0f, -0.25f});
  const std::vector<int32_t> cols = {0, 2, 3};
  const std::vector<float> ratings = {3.0f, -1.5f, 2.25f};
  const double lambda = 0.7;

  // G = Σ y yᵀ + λ I and b = Σ r y, written out entry by entry.
  double gram[3][3] = {};
  double rhs[3] = {};
  for (std::size_t n = 0; n < cols.size(); ++n) {
    const float* y = items.row(cols[n]);
    for (int r = 0; r < 3; ++r) {
      rhs[r] += ratings[n] * y[r];
      for (int c = 0; c < 3; ++c) gram[r][c] += double(y[r]) * y[c];
    }
  }
  for (int r = 0; r < 3; ++r) gram[r][r] += lambda;
  const std::vector<double> expected = solve_3x3(gram, rhs);

  std::vector<float> solved(3);
  solve_ridge_row(items, cols.data(), ratings.data(), 3, lambda, solved.data());
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(solved[k], expected[k], 1e-5) << "factor " << k;
}

TEST(SolveRidgeRow, ZeroLambdaGivesLeastNormSolution) {
  // One rating r = 6 on y = (1, 2, 2): every x with y·x = 6 fits exactly,
  // and the least-norm one is y r / |y|² = (2/3, 4/3, 4/3).
  const FactorMatrix items = make_factors(1, 3, {1.0f, 2.0f, 2.0f});
  const int32_t col = 0;
  const float rating = 6.0f;
  std::vector<float> solved(3);
  solve_ridge_row(items, &col, &rating, 1, 0.0, solved.data());
  EXPECT_NEAR(solved[0], 2.0 / 3.0, 1e-6);
  EXPECT_NEAR(solved[1], 4.0 / 3.0, 1e-6);
  EXPECT_NEAR(solved[2], 4.0 / 3.0, 1e-6);
}

TEST(SolveRidgeRow, EmptyRowIsZero) {
  const FactorMatrix items = make_factors(1, 2, {1.0f, 1.0f});
  std::vector<float> solved = {5.0f, 5.0f};
  solve_ridge_row(items, nullptr, nullptr, 0, 1.0, solved.data());
  EXPECT_EQ(solved[0], 0.0f);
  EXPECT_EQ(solved[1], 0.0f);
}

TEST(InitializeGaussian, ScaleAndDeterminism) {
  const int32_t factors = 16;
  FactorMatrix a(2500, factors);
  FactorMatrix b(2500, factors);
  FactorMatrix other_stream(2500, factors);
  initialize_gaussian(a, 42, 1);
  initialize_gaussian(b, 42, 1);
  initialize_gaussian(other_stream, 42, 2);
  EXPECT_EQ(a.values, b.values);
  EXPECT_NE(a.values, other_stream.values);

  // 40,000 draws of N(0, K^(-1/2)): the sample mean is within 4 standard
  // errors of 0 and the variance within 3% of 1/4.
  double sum = 0;
  double sum_squares = 0;
  for (float v : a.values) {
    sum += v;
    sum_squares += double(v) * v;
  }
  const double n = double(a.values.size());
  const double mean = sum / n;
  const double variance = sum_squares / n - mean * mean;
  const double expected_variance = 1.0 / std::sqrt(double(factors));
  EXPECT_NEAR(mean, 0.0, 4.0 * std::sqrt(expected_variance / n));
  EXPECT_NEAR(variance, expected_variance, 0.03 * expected_variance);
}

TEST(TrainingObjective, MatchesDirectSum) {
  Ratings ratings;
  ratings.push_back(0, 0, 2.0f);
  ratings.push_back(0, 1, -1.0f);
  ratings.push_back(1, 1, 0.5f);
  const CsrMatrix by_user = group_by_user(ratings, 2, 2);
  const FactorMatrix users = make_factors(2, 2, {1.0f, 0.5f, -0.5f, 2.0f});
  const FactorMatrix items = make_factors(2, 2, {0.25f, 1.0f, 1.5f, -1.0f});
  // Predictions: (0,0) 0.75, (0,1) 1.0, (1,1) -2.75; squared errors
  // 1.5625 + 4 + 10.5625 = 16.125; |U|² = 5.5, |A|² = 4.3125.
  const double expected = 16.125 + 0.3 * 5.5 + 2.0 * 4.3125;
  EXPECT_NEAR(training_objective(by_user, users, items, 0.3, 2.0), expected, 1e-9);
}

struct LowRankProblem {
  Ratings training;
  Ratings held_out;
  int32_t n_users = 0;
  int32_t n_items = 0;
};

// Ratings = u·v + N(0, noise²) for random rank-3 factors; half the pairs go
// to training and a tenth of the rest are held out.
LowRankProblem make_low_rank(int32_t n_users, int32_t n_items, double noise, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> u(n_users * 3), v(n_items * 3);
  for (double& x : u) x = normal(rng);
  for (double& x : v) x = normal(rng);

  LowRankProblem problem;
  problem.n_users = n_users;
  problem.n_items = n_items;
  for (int32_t i = 0; i < n_users; ++i) {
    for (int32_t j = 0; j < n_items; ++j) {
      const double draw = uniform(rng);
      const double value = u[3 * i] * v[3 * j] + u[3 * i + 1] * v[3 * j + 1] +
                           u[3 * i + 2] * v[3 * j + 2] + noise * normal(rng);
      if (draw < 0.5) {
        problem.training.push_back(i, j, float(value));
      } else if (draw < 0.55) {
        problem.held_out.push_back(i, j, float(value));
      }
    }
  }
  return problem;
}

AlsFit fit_to_objective(const CsrMatrix& by_user, const CsrMatrix& by_item,
                        const AlsOptions& options) {
  return fit_als(by_user, by_item, options, [&](const AlsModel& model) {
    return training_objective(by_user, model.users, model.items, options.lambda_user,
                              options.lambda_item);
  });
}

TEST(FitAls, RecoversRankThreeMatrix) {
  const double noise = 0.05;
  const LowRankProblem problem = make_low_rank(80, 60, noise, 11);
  const CsrMatrix by_user = group_by_user(problem.training, problem.n_users, problem.n_items);
  const CsrMatrix by_item = group_by_item(problem.training, problem.n_users, problem.n_items);

  AlsOptions options;
  options.factors = 3;
  options.lambda_user = 0.05;
  options.lambda_item = 0.05;
  options.max_iterations = 100;
  options.seed = 3;
  const AlsFit fit = fit_to_objective(by_user, by_item, options);

  const std::vector<float> prediction =
      fit.model.predict(problem.held_out.user, problem.held_out.item);
  double squared_error = 0;
  for (std::size_t n = 0; n < prediction.size(); ++n) {
    const double error = prediction[n] - problem.held_out.rating[n];
    squared_error += error * error;
  }
  const double rmse = std::sqrt(squared_error / double(prediction.size()));
  ASSERT_GT(prediction.size(), 100u);
  // The held-out ratings carry noise of standard deviation 0.05, so a
  // recovered model cannot do better than that and should not do much worse.
  EXPECT_LT(rmse, 2.0 * noise);
}

TEST(FitAls, SameFactorsWithOneAndTwoThreads) {
  const LowRankProblem problem = make_low_rank(700, 300, 0.1, 5);
  const CsrMatrix by_user = group_by_user(problem.training, problem.n_users, problem.n_items);
  const CsrMatrix by_item = group_by_item(problem.training, problem.n_users, problem.n_items);
  AlsOptions options;
  options.factors = 5;
  options.lambda_user = 0.3;
  options.lambda_item = 0.2;
  options.max_iterations = 3;
  options.seed = 99;

  AlsFit one_thread;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one_thread = fit_to_objective(by_user, by_item, options);
  }
  AlsFit two_threads;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two_threads = fit_to_objective(by_user, by_item, options);
  }
  EXPECT_EQ(one_thread.model.users.values, two_threads.model.users.values);
  EXPECT_EQ(one_thread.model.items.values, two_threads.model.items.values);
  EXPECT_EQ(one_thread.losses, two_threads.losses);
}

TEST(FitAls, StopsAfterPatienceWithoutImprovement) {
  Ratings ratings;
  ratings.push_back(0, 0, 1.0f);
  const CsrMatrix by_user = group_by_user(ratings, 1, 1);
  const CsrMatrix by_item = group_by_item(ratings, 1, 1);
  AlsOptions options;
  options.factors = 1;
  options.patience = 5;
  options.tolerance = 1e-4;
  options.max_iterations = 100;

  // Iteration 2 improves by 50%. Iterations 3-7 each lower the loss, but all
  // stay above 5 × (1 − 1e-4) = 4.9995, so none counts as an improvement
  // and the fit stops after iteration 7 without reading the eighth value.
  const std::vector<double> scripted = {10.0, 5.0, 4.9999, 4.9998, 4.9997, 4.9996, 4.99955,
                                        1.0};
  int calls = 0;
  const AlsFit fit = fit_als(by_user, by_item, options,
                             [&](const AlsModel&) { return scripted[calls++]; });
  EXPECT_EQ(fit.iterations, 7);
  EXPECT_EQ(fit.losses.size(), 7u);
  EXPECT_EQ(fit.best_iteration, 7);  // the smallest loss, even without a real improvement
  EXPECT_DOUBLE_EQ(fit.best_loss, 4.99955);
}

TEST(FitAls, KeepsModelOfLowestLoss) {
  Ratings ratings;
  ratings.push_back(0, 0, 1.0f);
  const CsrMatrix by_user = group_by_user(ratings, 1, 1);
  const CsrMatrix by_item = group_by_item(ratings, 1, 1);
  AlsOptions options;
  options.factors = 2;
  options.patience = 2;
  const std::vector<double> scripted = {3.0, 1.0, 2.0, 2.5};
  int calls = 0;
  const AlsFit fit = fit_als(by_user, by_item, options,
                             [&](const AlsModel&) { return scripted[calls++]; });
  EXPECT_EQ(fit.iterations, 4);
  EXPECT_EQ(fit.best_iteration, 2);
  EXPECT_DOUBLE_EQ(fit.best_loss, 1.0);
}

TEST(FitAls, NonFiniteLossThrows) {
  Ratings ratings;
  ratings.push_back(0, 0, 1.0f);
  const CsrMatrix by_user = group_by_user(ratings, 1, 1);
  const CsrMatrix by_item = group_by_item(ratings, 1, 1);
  AlsOptions options;
  options.factors = 1;
  EXPECT_THROW(fit_als(by_user, by_item, options,
                       [](const AlsModel&) { return std::nan(""); }),
               NumericError);
}

// The ratings of a case file "user,item,rating" with a header line; ids are
// numbered in order of first appearance.
Ratings read_case_ratings(const std::string& file, int32_t& n_users, int32_t& n_items) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << "cannot read " << file;
  std::map<std::string, int32_t> users, items;
  Ratings ratings;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string user, item, value;
    std::getline(fields, user, ',');
    std::getline(fields, item, ',');
    std::getline(fields, value, ',');
    const int32_t u = users.emplace(user, int32_t(users.size())).first->second;
    const int32_t i = items.emplace(item, int32_t(items.size())).first->second;
    ratings.push_back(u, i, std::stof(value));
  }
  n_users = int32_t(users.size());
  n_items = int32_t(items.size());
  return ratings;
}

class MoreFactorsThanRatings : public ::testing::Test {
 protected:
  void SetUp() override {
    ratings_ = read_case_ratings(
        std::string(ALPHAS_TEST_DATA_DIR) + "/cases/02-als-factors-exceed-dims/ratings.csv",
        n_users_, n_items_);
    ASSERT_EQ(ratings_.size(), 4u);
    by_user_ = group_by_user(ratings_, n_users_, n_items_);
    by_item_ = group_by_item(ratings_, n_users_, n_items_);
  }

  AlsFit fit(double lambda, uint64_t seed) {
    AlsOptions options;
    options.factors = 16;
    options.lambda_user = lambda;
    options.lambda_item = lambda;
    options.max_iterations = 15;
    options.patience = 15;
    options.seed = seed;
    return fit_to_objective(by_user_, by_item_, options);
  }

  Ratings ratings_;
  int32_t n_users_ = 0;
  int32_t n_items_ = 0;
  CsrMatrix by_user_;
  CsrMatrix by_item_;
};

bool all_finite(const std::vector<float>& values) {
  for (float v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// Our objective is Σ(r − p·q)² + λ(|p|² + |q|²) with the same λ for users
// and items and no per-row scaling of λ. With one rating per row and column
// each update is p = q r / (|q|² + λ), so at the fixed point |p|² = |q|² and
// p·q = r − λ: 4.95, 3.95, 2.95, 1.95 for λ = 0.05.
TEST_F(MoreFactorsThanRatings, RegularizedFitConvergesToRMinusLambda) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    const AlsFit result = fit(0.05, seed);
    EXPECT_TRUE(all_finite(result.model.users.values)) << "seed " << seed;
    EXPECT_TRUE(all_finite(result.model.items.values)) << "seed " << seed;
    const std::vector<float> prediction = result.model.predict(ratings_.user, ratings_.item);
    for (std::size_t n = 0; n < ratings_.size(); ++n) {
      EXPECT_NEAR(prediction[n], ratings_.rating[n] - 0.05, 0.1)
          << "seed " << seed << ", pair " << n;
    }
    // The unobserved pairs of the case's request file: (a, q) and (d, p).
    const std::vector<float> unobserved = result.model.predict({0, 3}, {1, 0});
    EXPECT_TRUE(all_finite(unobserved)) << "seed " << seed;
  }
}

// λ = 0 makes every 16x16 normal matrix rank 1; the least-norm solve still
// gives finite factors that reproduce each observed rating.
TEST_F(MoreFactorsThanRatings, UnregularizedFitReproducesRatings) {
  const AlsFit result = fit(0.0, 1);
  EXPECT_TRUE(all_finite(result.model.users.values));
  EXPECT_TRUE(all_finite(result.model.items.values));
  const std::vector<float> prediction = result.model.predict(ratings_.user, ratings_.item);
  for (std::size_t n = 0; n < ratings_.size(); ++n) {
    EXPECT_NEAR(prediction[n], ratings_.rating[n], 1e-6) << "pair " << n;
  }
  EXPECT_TRUE(all_finite(result.model.predict({0, 3}, {1, 0})));
}

}  // namespace
}  // namespace alphas::mf
