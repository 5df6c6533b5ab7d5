// Tests of the MatrixFactorization alpha through the framework: a dataset
// saved in a temporary data directory, a PredictionStore and an
// AlphaContext, with the four phases run as the runner runs them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/log.hpp"
#include "matrix_factorization_alpha.hpp"
#include "support/temp_dir.hpp"

namespace alphas::mf {
namespace {

using alphas::testing::TempDir;

class MatrixFactorizationAlphaTest : public ::testing::Test {
 protected:
  void install(const Dataset& dataset) {
    dataset_ = dataset;
    alphas::testing::install_dataset(dir_, dataset_);
    store_ = std::make_unique<PredictionStore>(dir_, dataset_);
  }

  // Runs the four phases of a new alpha with this spec.
  void run(const AlphaSpec& spec) {
    AlphaContext context(spec, dir_, *store_, 2, "test");
    MatrixFactorizationAlpha alpha;
    run_phases(alpha, context);
  }

  AlphaSpec spec(const std::string& name, nlohmann::json params) const {
    AlphaSpec s;
    s.name = name;
    s.family = "MatrixFactorization";
    s.params = std::move(params);
    s.seed = 5;
    return s;
  }

  nlohmann::json read_json(const std::filesystem::path& file) const {
    return nlohmann::json::parse(read_text(file));
  }

  TempDir tmp_;
  DataDir dir_{tmp_.path()};
  Dataset dataset_;
  std::unique_ptr<PredictionStore> store_;
};

// Rank-2 ratings around 5 on a 1-10 scale, split 80/10/10 per pair.
Dataset make_rank_two_dataset(int32_t n_users, int32_t n_items) {
  std::mt19937 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> u(n_users * 2), v(n_items * 2);
  for (double& x : u) x = normal(rng);
  for (double& x : v) x = normal(rng);
  Ratings training, validation, test;
  for (int32_t i = 0; i < n_users; ++i) {
    for (int32_t j = 0; j < n_items; ++j) {
      const double draw = uniform(rng);
      if (draw > 0.6) continue;
      const float value = float(5.0 + u[2 * i] * v[2 * j] + u[2 * i + 1] * v[2 * j + 1] +
                                0.1 * normal(rng));
      if (draw < 0.48) {
        training.push_back(i, j, value);
      } else if (draw < 0.54) {
        validation.push_back(i, j, value);
      } else {
        test.push_back(i, j, value);
      }
    }
  }
  return alphas::testing::make_dataset(n_users, n_items, training, validation, test);
}

Ratings diagonal_ratings() {
  Ratings r;
  r.push_back(0, 0, 5);
  r.push_back(1, 1, 4);
  r.push_back(2, 2, 3);
  r.push_back(3, 3, 2);
  return r;
}

TEST_F(MatrixFactorizationAlphaTest, TunesAndWritesPredictions) {
  install(make_rank_two_dataset(60, 50));
  // The input is the raw ratings (no residual alphas), whose mean of 5 the
  // factors absorb as one more direction, so K = 3 suffices.
  run(spec("MatrixFactorization.3", {{"search_evaluations", 12}}));

  ASSERT_TRUE(dir_.has_alpha("MatrixFactorization.3"));
  const nlohmann::json params = read_json(dir_.params_file("MatrixFactorization.3"));
  const nlohmann::json& fitted = params["fitted"];
  ASSERT_TRUE(fitted.contains("lambda_u"));
  ASSERT_TRUE(fitted.contains("lambda_a"));
  EXPECT_GT(fitted["lambda_u"].get<double>(), 0.0);
  EXPECT_GT(fitted["lambda_a"].get<double>(), 0.0);
  EXPECT_GE(fitted["iterations"].get<int>(), 1);
  EXPECT_LE(fitted["iterations"].get<int>(), 100);
  EXPECT_EQ(fitted["stopping_loss"], "validation_mse");
  EXPECT_EQ(params["params"]["K"], 3);

  // Ratings spread with standard deviation ~1.4 around 5 and noise 0.1: a
  // fitted model explains most of the validation variance.
  const nlohmann::json metrics = read_json(dir_.metrics_file("MatrixFactorization.3"));
  EXPECT_GT(metrics["validation"]["r2"].get<double>(), 0.9);

  H5File h5(dir_.predictions_file("MatrixFactorization.3"), H5File::Mode::read);
  EXPECT_EQ(h5.read_floats("training").size(), dataset_.training.size());
  EXPECT_EQ(h5.read_floats("validation").size(), dataset_.validation.size());
  EXPECT_EQ(h5.read_floats("test").size(), dataset_.test.size());
}

TEST_F(MatrixFactorizationAlphaTest, ParamKOverridesName) {
  install(make_rank_two_dataset(20, 15));
  run(spec("MatrixFactorization.40", {{"K", 2}, {"lambda_u", 1.0}, {"lambda_a", 1.0}}));
  const nlohmann::json params = read_json(dir_.params_file("MatrixFactorization.40"));
  EXPECT_EQ(params["params"]["K"], 2);
  // Both lambdas fixed: no search ran.
  EXPECT_FALSE(params["fitted"].contains("search_evaluations"));
  EXPECT_DOUBLE_EQ(params["fitted"]["lambda_u"].get<double>(), 1.0);
}

TEST_F(MatrixFactorizationAlphaTest, SearchLinesReachTheAlphaLog) {
  install(make_rank_two_dataset(30, 20));
  set_verbosity(1);  // evaluations are logged at debug level
  run(spec("MatrixFactorization.2", {{"search_evaluations", 4}, {"max_iterations", 5}}));
  set_verbosity(0);
  const std::string log = read_text(dir_.log_file("MatrixFactorization.2"));
  for (int evaluation = 1; evaluation <= 4; ++evaluation) {
    EXPECT_NE(log.find("search evaluation " + std::to_string(evaluation) +
                       ": lambda_u=lambda_a="),
              std::string::npos)
        << "evaluation " << evaluation << " is missing from:\n" << log;
  }
}

TEST_F(MatrixFactorizationAlphaTest, MissingFactorCountIsRejected) {
  install(make_rank_two_dataset(10, 10));
  try {
    run(spec("MatrixFactorization", {}));
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("params {K: <integer>}"), std::string::npos)
        << error.what();
  }
}

TEST_F(MatrixFactorizationAlphaTest, InvalidParametersAreRejected) {
  install(make_rank_two_dataset(10, 10));
  EXPECT_THROW(run(spec("MatrixFactorization.0", {})), InputError);
  EXPECT_THROW(run(spec("MF", {{"K", -3}})), InputError);
  EXPECT_THROW(run(spec("MF", {{"K", "ten"}})), InputError);
  EXPECT_THROW(run(spec("MF.4", {{"lambda_u", -1.0}})), InputError);
  EXPECT_THROW(run(spec("MF.4", {{"max_iterations", 0}})), InputError);
  EXPECT_THROW(run(spec("MF.4", {{"lambda_lower", 10.0}, {"lambda_initial", 1.0}})),
               InputError);
  EXPECT_FALSE(std::filesystem::exists(dir_.alphas_dir() / "MF.4"));
}

// The keys of the problems that configure records for `params`, with no
// dataset anywhere.
std::vector<std::string> problem_keys(const std::string& name, nlohmann::json params) {
  AlphaSpec spec;
  spec.name = name;
  spec.family = "MatrixFactorization";
  spec.params = std::move(params);
  AlphaParams reader(spec);
  MatrixFactorizationAlpha alpha;
  std::vector<std::string> keys;
  for (const auto& problem : configure_alpha(alpha, reader)) keys.push_back(problem.key);
  return keys;
}

TEST(MatrixFactorizationConfigure, ReportsEveryProblemAtOnce) {
  EXPECT_EQ(problem_keys("MF", {{"K", -3},
                                {"lambda_u", -1.0},
                                {"lambda_a", "x"},
                                {"max_iterations", 0},
                                {"tolerance", -0.5}}),
            (std::vector<std::string>{"K", "lambda_u", "lambda_a", "max_iterations", "tolerance"}));
  EXPECT_EQ(problem_keys("MatrixFactorization", {{"lambda_lower", 20.0}}),
            (std::vector<std::string>{"K", "lambda_initial"}));
  EXPECT_TRUE(problem_keys("MatrixFactorization.10", {{"lambda_u", 0.5}}).empty());
}

// K stops at 4096: the name suffix and the parameter are both checked.
TEST(MatrixFactorizationConfigure, HugeFactorCountIsRejected) {
  EXPECT_TRUE(problem_keys("MF", {{"K", 4096}}).empty());
  EXPECT_EQ(problem_keys("MF", {{"K", 4097}}), (std::vector<std::string>{"K"}));
  EXPECT_EQ(problem_keys("MF", {{"K", 2000000000}}), (std::vector<std::string>{"K"}));
  EXPECT_EQ(problem_keys("MatrixFactorization.30000", {}), (std::vector<std::string>{"K"}));
}

TEST(MatrixFactorizationConfigure, SettingsComeFromParamsAndName) {
  AlphaSpec spec;
  spec.name = "MatrixFactorization.20";
  spec.params = {{"lambda_a", 2.5}, {"patience", 3}};
  AlphaParams params(spec);
  const MatrixFactorizationSettings settings = read_settings(params);
  EXPECT_TRUE(params.problems().empty());
  EXPECT_EQ(settings.factors, 20);
  EXPECT_FALSE(settings.lambda_user.has_value());
  EXPECT_EQ(settings.lambda_item, 2.5);
  EXPECT_EQ(settings.patience, 3);
  EXPECT_EQ(settings.max_iterations, 100);  // the documented default
}

TEST_F(MatrixFactorizationAlphaTest, EmptyValidationNeedsFixedLambdas) {
  install(alphas::testing::make_dataset(4, 4, diagonal_ratings(), {}, {}));
  try {
    run(spec("MatrixFactorization.16", {}));
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("set both in the recipe"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(dir_.has_alpha("MatrixFactorization.16"));
}

// The adversarial case of 16 factors for a 4x4 diagonal matrix, run as an
// alpha: with λu = λa = 0.05 every stored prediction is finite and each
// observed pair is r − λ within 0.1 (see als_test.cpp for the derivation).
TEST_F(MatrixFactorizationAlphaTest, MoreFactorsThanRatingsStaysFinite) {
  Ratings test;
  test.push_back(0, 1, 4);  // unobserved pairs (a, q) and (d, p)
  test.push_back(3, 0, 5);
  install(alphas::testing::make_dataset(4, 4, diagonal_ratings(), {}, test));
  run(spec("MatrixFactorization.16", {{"lambda_u", 0.05},
                                      {"lambda_a", 0.05},
                                      {"max_iterations", 15},
                                      {"patience", 15}}));

  const nlohmann::json params = read_json(dir_.params_file("MatrixFactorization.16"));
  EXPECT_EQ(params["fitted"]["stopping_loss"], "training_objective");
  H5File h5(dir_.predictions_file("MatrixFactorization.16"), H5File::Mode::read);
  const std::vector<float> training = h5.read_floats("training");
  ASSERT_EQ(training.size(), 4u);
  for (std::size_t n = 0; n < 4; ++n) {
    EXPECT_NEAR(training[n], dataset_.training.rating[n] - 0.05, 0.1) << "pair " << n;
  }
  for (float value : h5.read_floats("test")) EXPECT_TRUE(std::isfinite(value));
}

TEST_F(MatrixFactorizationAlphaTest, NonFiniteInputFailsWithoutWriting) {
  Ratings training = diagonal_ratings();
  training.rating[2] = std::nanf("");
  install(alphas::testing::make_dataset(4, 4, training, {}, {}));
  EXPECT_THROW(run(spec("MatrixFactorization.2", {{"lambda_u", 1.0}, {"lambda_a", 1.0}})),
               NumericError);
  EXPECT_FALSE(dir_.has_alpha("MatrixFactorization.2"));
  EXPECT_FALSE(std::filesystem::exists(dir_.alpha_dir("MatrixFactorization.2")));
}

}  // namespace
}  // namespace alphas::mf
