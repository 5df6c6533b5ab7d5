// Tests of the ensemble: the linear blend against an independent
// least-squares solution, the per-step table, the stacker, the stored
// results and reports, and case 01's blend recipe.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alphas/atomic_file.hpp"
#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/plugin_host.hpp"
#include "alphas/residuals.hpp"
#include "alphas/runner.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

std::size_t count_of(const std::string& text, const std::string& fragment) {
  std::size_t count = 0;
  for (std::size_t at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + 1)) {
    ++count;
  }
  return count;
}

// A metric of ensemble.json with four decimals, as the reports print it.
std::string metric_text(const nlohmann::json& value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value.get<double>());
  return buffer;
}

// --- An independent least-squares solution -------------------------------

// Solves A x = b by Gaussian elimination with partial pivoting.
std::vector<double> gaussian_elimination(std::vector<std::vector<double>> a, std::vector<double> b) {
  const std::size_t n = b.size();
  for (std::size_t column = 0; column < n; ++column) {
    std::size_t pivot = column;
    for (std::size_t row = column + 1; row < n; ++row) {
      if (std::abs(a[row][column]) > std::abs(a[pivot][column])) pivot = row;
    }
    std::swap(a[column], a[pivot]);
    std::swap(b[column], b[pivot]);
    for (std::size_t row = column + 1; row < n; ++row) {
      const double factor = a[row][column] / a[column][column];
      for (std::size_t k = column; k < n; ++k) a[row][k] -= factor * a[column][k];
      b[row] -= factor * b[column];
    }
  }
  std::vector<double> x(n);
  for (std::size_t row = n; row-- > 0;) {
    double sum = b[row];
    for (std::size_t k = row + 1; k < n; ++k) sum -= a[row][k] * x[k];
    x[row] = sum / a[row][row];
  }
  return x;
}

// beta = (X^T X)^-1 X^T y from the normal equations.
std::vector<double> normal_equations(const std::vector<std::vector<float>>& columns,
                                     const std::vector<float>& y) {
  const std::size_t k = columns.size();
  std::vector<std::vector<double>> gram(k, std::vector<double>(k, 0.0));
  std::vector<double> rhs(k, 0.0);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b) {
      for (std::size_t r = 0; r < y.size(); ++r) gram[a][b] += double(columns[a][r]) * columns[b][r];
    }
    for (std::size_t r = 0; r < y.size(); ++r) rhs[a] += double(columns[a][r]) * y[r];
  }
  return gaussian_elimination(gram, rhs);
}

// RMSE, MAE and R^2 written out directly.
struct Expected {
  double rmse, mae, r2;
};
Expected direct_metrics(const std::vector<float>& prediction, const std::vector<float>& truth) {
  double mean = 0;
  for (float y : truth) mean += y;
  mean /= truth.size();
  double squared = 0, absolute = 0, total = 0;
  for (std::size_t r = 0; r < truth.size(); ++r) {
    squared += (truth[r] - double(prediction[r])) * (truth[r] - double(prediction[r]));
    absolute += std::abs(truth[r] - double(prediction[r]));
    total += (truth[r] - mean) * (truth[r] - mean);
  }
  return {std::sqrt(squared / truth.size()), absolute / truth.size(), 1 - squared / total};
}

// Three alphas on a 1-5 scale: truth = 3 + 0.8 a + 0.5 b + noise, and a
// third column of pure noise; c tends to push the blend past the scale.
BlendData synthetic_blend(std::size_t n_validation, std::size_t n_test, uint64_t seed = 5) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  BlendData data;
  data.alphas = {"a", "b", "c"};
  data.scale = {1.0, 5.0};
  data.validation.assign(3, {});
  data.test.assign(3, {});
  auto fill = [&](std::size_t n, std::vector<std::vector<float>>& columns, std::vector<float>& truth) {
    for (std::size_t r = 0; r < n; ++r) {
      const float a = 3.0f + normal(generator), b = normal(generator), c = 2.0f * normal(generator);
      columns[0].push_back(a);
      columns[1].push_back(b);
      columns[2].push_back(c);
      const float y = 3.0f + 0.8f * (a - 3.0f) + 0.5f * b + 0.3f * normal(generator);
      truth.push_back(std::min(5.0f, std::max(1.0f, std::round(y))));
    }
  };
  fill(n_validation, data.validation, data.validation_truth);
  fill(n_test, data.test, data.test_truth);
  return data;
}

StackerSettings no_stacker() {
  StackerSettings settings;
  settings.enabled = false;
  return settings;
}

// --- The linear blend ----------------------------------------------------

TEST(EnsembleBlend, BetaMatchesNormalEquations) {
  const BlendData data = synthetic_blend(400, 300);
  const EnsembleResult result = fit_ensemble("E", data, no_stacker(), 1);
  const std::vector<double> expected = normal_equations(data.validation, data.validation_truth);
  ASSERT_EQ(result.beta.size(), 3u);
  for (std::size_t a = 0; a < 3; ++a) EXPECT_NEAR(result.beta[a], expected[a], 1e-8) << a;
}

TEST(EnsembleBlend, EachStepRefitsTheFirstAlphas) {
  const BlendData data = synthetic_blend(400, 300);
  const EnsembleResult result = fit_ensemble("E", data, no_stacker(), 1);
  ASSERT_EQ(result.steps.size(), 3u);
  for (std::size_t k = 1; k <= 3; ++k) {
    const BlendStep& step = result.steps[k - 1];
    EXPECT_EQ(step.alpha, data.alphas[k - 1]);
    const std::vector<std::vector<float>> first(data.validation.begin(), data.validation.begin() + k);
    const std::vector<double> expected = normal_equations(first, data.validation_truth);
    ASSERT_EQ(step.beta.size(), k);
    for (std::size_t a = 0; a < k; ++a) EXPECT_NEAR(step.beta[a], expected[a], 1e-8) << k << " " << a;
  }
}

TEST(EnsembleBlend, MetricsOfClampedBlend) {
  const BlendData data = synthetic_blend(400, 300);
  const EnsembleResult result = fit_ensemble("E", data, no_stacker(), 1);

  // The blend written out: sum_j beta_j x_j, then clamped to [1, 5].
  std::vector<float> test(data.test_truth.size());
  bool clamped = false;
  for (std::size_t r = 0; r < test.size(); ++r) {
    double sum = 0;
    for (std::size_t a = 0; a < 3; ++a) sum += result.beta[a] * data.test[a][r];
    clamped = clamped || sum < 1.0 || sum > 5.0;
    test[r] = static_cast<float>(std::min(5.0, std::max(1.0, sum)));
    ASSERT_NEAR(result.test_prediction[r], test[r], 1e-5) << "row " << r;
  }
  EXPECT_TRUE(clamped) << "the data should push some predictions past the scale";

  const Expected expected = direct_metrics(test, data.test_truth);
  EXPECT_NEAR(result.test.metrics.rmse, expected.rmse, 1e-6);
  EXPECT_NEAR(result.test.metrics.mae, expected.mae, 1e-6);
  EXPECT_NEAR(result.test.metrics.r2, expected.r2, 1e-6);
  EXPECT_EQ(result.test.n, 300u);
  EXPECT_EQ(result.validation.n, 400u);
  for (float value : result.validation_prediction) {
    EXPECT_GE(value, 1.0f);
    EXPECT_LE(value, 5.0f);
  }
}

TEST(EnsembleBlend, EmptyTestSplitGivesNanMetrics) {
  const BlendData data = synthetic_blend(50, 0);
  const EnsembleResult result = fit_ensemble("E", data, no_stacker(), 1);
  EXPECT_EQ(result.test.n, 0u);
  EXPECT_TRUE(std::isnan(result.test.metrics.rmse));
  const nlohmann::json json = ensemble_to_json(result, {});
  EXPECT_TRUE(json["blend"]["test"]["rmse"].is_null());
  EXPECT_TRUE(contains(ensemble_text(json), "blend test        RMSE -"));
}

TEST(EnsembleBlend, EmptyValidationIsAnError) {
  const BlendData data = synthetic_blend(0, 30);
  std::string message;
  try {
    fit_ensemble("Blend", data, no_stacker(), 1);
  } catch (const InputError& error) {
    message = error.what();
  }
  EXPECT_TRUE(contains(message, "ensemble 'Blend' cannot be fitted: the validation split has no "
                                "ratings"))
      << message;
  EXPECT_TRUE(contains(message, "--seed")) << message;
}

TEST(EnsembleReport, OneAlphaIsSingular) {
  BlendData data = synthetic_blend(1, 40);
  data.alphas.resize(1);
  data.validation.resize(1);
  data.test.resize(1);
  const EnsembleResult result = fit_ensemble("One", data, no_stacker(), 1);
  const nlohmann::json json = ensemble_to_json(result, {});
  const std::string text = ensemble_text(json);
  EXPECT_TRUE(contains(text, "Ensemble One: linear blend of 1 alpha, beta fitted on 1 rating of "
                             "validation"))
      << text;
  const std::string markdown = ensemble_markdown(json);
  EXPECT_TRUE(contains(markdown, "Linear blend of 1 alpha. beta is fitted")) << markdown;
}

TEST(EnsembleBlend, NoAlphaIsAnError) {
  BlendData data;
  EXPECT_THROW(fit_ensemble("E", data, no_stacker(), 1), InputError);
}

// --- The stacker ---------------------------------------------------------

// Truth with a step the linear blend cannot fit: +1 where alpha b > 0.5.
BlendData nonlinear_blend(std::size_t n_validation, std::size_t n_test) {
  BlendData data = synthetic_blend(n_validation, n_test, 11);
  auto bend = [](const std::vector<std::vector<float>>& columns, std::vector<float>& truth) {
    for (std::size_t r = 0; r < truth.size(); ++r) {
      if (columns[1][r] > 0.5f) truth[r] = std::min(5.0f, truth[r] + 1.0f);
    }
  };
  bend(data.validation, data.validation_truth);
  bend(data.test, data.test_truth);
  return data;
}

StackerSettings quick_stacker(uint64_t seed = 3) {
  StackerSettings settings;
  settings.max_rounds = 200;
  settings.early_stopping_rounds = 10;
  settings.learning_rate = 0.2;
  settings.max_depth = 3;
  settings.min_child_weight = 5;
  settings.seed = seed;
  return settings;
}

TEST(EnsembleStacker, LearnsWhatTheBlendMisses) {
  const BlendData data = nonlinear_blend(2000, 1000);
  const EnsembleResult result = fit_ensemble("E", data, quick_stacker(), 2);
  const StackerResult& stacker = result.stacker;
  ASSERT_TRUE(stacker.trained) << stacker.skipped_reason;
  EXPECT_EQ(stacker.n_holdout, 200u);
  EXPECT_EQ(stacker.n_train, 1800u);
  EXPECT_LT(stacker.holdout_stacker.metrics.rmse, stacker.holdout_blend.metrics.rmse - 0.05);
  EXPECT_LT(stacker.test_stacker.metrics.rmse, result.test.metrics.rmse - 0.05);
  ASSERT_EQ(stacker.test_prediction.size(), 1000u);
  for (float value : stacker.test_prediction) {
    EXPECT_TRUE(std::isfinite(value));
    EXPECT_GE(value, 1.0f);
    EXPECT_LE(value, 5.0f);
  }
  // The test metrics are those of the stored predictions.
  const Expected expected = direct_metrics(stacker.test_prediction, data.test_truth);
  EXPECT_NEAR(stacker.test_stacker.metrics.rmse, expected.rmse, 1e-6);
}

TEST(EnsembleStacker, StopsAtTheBestHoldoutRound) {
  StackerSettings settings = quick_stacker();
  settings.max_rounds = 1000;
  settings.learning_rate = 0.5;
  const EnsembleResult result = fit_ensemble("E", nonlinear_blend(1000, 100), settings, 1);
  const StackerResult& stacker = result.stacker;
  ASSERT_TRUE(stacker.trained);
  ASSERT_EQ(stacker.holdout_rmse.size(), static_cast<std::size_t>(stacker.rounds_tried));
  EXPECT_LT(stacker.rounds_tried, settings.max_rounds);
  const auto best = std::min_element(stacker.holdout_rmse.begin(), stacker.holdout_rmse.end());
  EXPECT_EQ(stacker.rounds, static_cast<int>(best - stacker.holdout_rmse.begin()) + 1);
  EXPECT_EQ(stacker.rounds_tried, stacker.rounds + settings.early_stopping_rounds);
  // The kept model's holdout RMSE on ratings is consistent with the best round.
  EXPECT_TRUE(std::isfinite(stacker.holdout_stacker.metrics.rmse));
}

TEST(EnsembleStacker, SameSeedSameResult) {
  const BlendData data = nonlinear_blend(600, 200);
  const StackerResult first = fit_ensemble("E", data, quick_stacker(3), 2).stacker;
  const StackerResult second = fit_ensemble("E", data, quick_stacker(3), 2).stacker;
  ASSERT_EQ(first.test_prediction.size(), second.test_prediction.size());
  for (std::size_t r = 0; r < first.test_prediction.size(); ++r) {
    ASSERT_EQ(first.test_prediction[r], second.test_prediction[r]) << "row " << r;
  }
  EXPECT_EQ(first.rounds, second.rounds);
  const StackerResult other = fit_ensemble("E", data, quick_stacker(4), 2).stacker;
  EXPECT_NE(first.holdout_blend.metrics.rmse, other.holdout_blend.metrics.rmse)
      << "another seed should hold out other rows";
}

TEST(EnsembleStacker, SkippedOnTinyValidationOrWhenOff) {
  const EnsembleResult tiny = fit_ensemble("E", synthetic_blend(10, 5), quick_stacker(), 1);
  EXPECT_FALSE(tiny.stacker.trained);
  EXPECT_EQ(tiny.stacker.skipped_reason, "validation has 10 ratings; the stacker needs at least 20");
  const EnsembleResult off = fit_ensemble("E", synthetic_blend(100, 5), no_stacker(), 1);
  EXPECT_FALSE(off.stacker.trained);
  EXPECT_TRUE(contains(off.stacker.skipped_reason, "turned off"));
}

// --- The stacker keeps no tree that does not help ------------------------

// Ratings drawn uniformly from 1-5 and one alpha that predicts 3 for every
// rating. The blend is then the mean validation rating, its residual is
// pure noise with mean 0 over validation, and the stacker's features are
// the same for every row, so each tree is one leaf. The trees push every
// row towards the mean residual of the training rows, which has the
// opposite sign of the holdout's mean, so every tree makes the holdout worse.
BlendData constant_alpha_noise(std::size_t n_validation, std::size_t n_test, uint64_t seed = 17) {
  std::mt19937_64 generator(seed);
  std::uniform_int_distribution<int> rating(1, 5);
  BlendData data;
  data.alphas = {"constant"};
  data.scale = {1.0, 5.0};
  for (std::size_t r = 0; r < n_validation; ++r) data.validation_truth.push_back(float(rating(generator)));
  for (std::size_t r = 0; r < n_test; ++r) data.test_truth.push_back(float(rating(generator)));
  data.validation = {std::vector<float>(n_validation, 3.0f)};
  data.test = {std::vector<float>(n_test, 3.0f)};
  return data;
}

// The same ratings and constant alpha, plus an alpha of standard normal
// predictions unrelated to the ratings, so the trees have a varying
// feature to split on but nothing in it to learn.
BlendData random_alpha_noise(std::size_t n_validation, std::size_t n_test, uint64_t seed) {
  BlendData data = constant_alpha_noise(n_validation, n_test, seed);
  std::mt19937_64 generator(seed + 1000);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  data.alphas.push_back("random");
  data.validation.emplace_back();
  data.test.emplace_back();
  for (std::size_t r = 0; r < n_validation; ++r) data.validation[1].push_back(normal(generator));
  for (std::size_t r = 0; r < n_test; ++r) data.test[1].push_back(normal(generator));
  return data;
}

double mean_of(const std::vector<float>& values) {
  double sum = 0;
  for (float value : values) sum += value;
  return sum / double(values.size());
}

TEST(EnsembleStacker, NoiseResidualKeepsNoTree) {
  const BlendData data = constant_alpha_noise(2000, 500);
  StackerSettings settings;  // the recipe's defaults
  const EnsembleResult result = fit_ensemble("Noise", data, settings, 1);
  const StackerResult& stacker = result.stacker;
  ASSERT_TRUE(stacker.trained) << stacker.skipped_reason;

  EXPECT_EQ(stacker.rounds, 0);
  // No round beat zero trees, so training stopped after early_stopping_rounds rounds.
  EXPECT_EQ(stacker.rounds_tried, settings.early_stopping_rounds);
  ASSERT_EQ(stacker.holdout_rmse.size(), static_cast<std::size_t>(stacker.rounds_tried));
  for (double rmse : stacker.holdout_rmse) EXPECT_GT(rmse, stacker.holdout_blend.metrics.rmse);
  EXPECT_EQ(stacker.holdout_stacker.metrics.rmse, stacker.holdout_blend.metrics.rmse);

  // Zero trees add exactly 0: the stacker's test predictions are the blend's.
  ASSERT_EQ(stacker.test_prediction.size(), 500u);
  for (std::size_t r = 0; r < 500; ++r) {
    ASSERT_EQ(stacker.test_prediction[r], result.test_prediction[r]) << "row " << r;
  }
  EXPECT_EQ(stacker.test_stacker.metrics.rmse, result.test.metrics.rmse);
}

TEST(EnsembleStacker, NoiseResidualMatchesBlendByHand) {
  testing::TempDir temp;
  DataDir dir(temp / "data");
  const BlendData data = constant_alpha_noise(2000, 500);
  write_ensemble(dir, fit_ensemble("Noise", data, StackerSettings(), 1), {{"hash", "h"}});

  // The blend of one constant column is the mean validation rating.
  const double mean = mean_of(data.validation_truth);
  H5File h5(dir.alpha_dir("Noise") / "predictions.h5", H5File::Mode::read);
  const std::vector<float> blend_test = h5.read_floats("test");
  const std::vector<float> stacker_test = h5.read_floats("stacker/test");
  ASSERT_EQ(blend_test.size(), 500u);
  for (float value : blend_test) ASSERT_NEAR(value, mean, 1e-5);
  EXPECT_EQ(stacker_test, blend_test);

  double squared = 0;
  for (float y : data.test_truth) squared += (y - mean) * (y - mean);
  const double rmse_by_hand = std::sqrt(squared / 500.0);
  const nlohmann::json json = read_ensemble_json(dir, "Noise");
  const auto& stacker = json["stacker"];
  EXPECT_EQ(stacker["rounds"], 0);
  EXPECT_EQ(stacker["improves_holdout"], false);
  EXPECT_NEAR(stacker["test"]["blend"]["rmse"].get<double>(), rmse_by_hand, 1e-5);
  EXPECT_NEAR(stacker["test"]["stacker"]["rmse"].get<double>(), rmse_by_hand, 1e-5);
  EXPECT_NEAR(json["blend"]["test"]["rmse"].get<double>(), rmse_by_hand, 1e-5);

  const std::string holdout_rmse = metric_text(stacker["holdout"]["blend"]["rmse"]);
  const std::string no_tree_message = "no tree improved the holdout RMSE " + holdout_rmse;
  EXPECT_TRUE(contains(ensemble_text(json),
                       "stacker: " + no_tree_message + " of the blend; kept the blend alone"));
  const std::string markdown = read_text(ensemble_report_file(dir, "Noise"));
  EXPECT_TRUE(contains(markdown, "Outcome: " + no_tree_message));
  EXPECT_FALSE(contains(markdown, "| validation holdout |")) << markdown;
  EXPECT_TRUE(contains(read_text(ensemble_plot_file(dir, "Noise")),
                       "stacker: " + no_tree_message + "; kept the blend alone"));
}

// On noise the trees may still beat the blend on the holdout by chance,
// but whatever the stacker keeps must beat it, and with no tree kept its
// predictions must be the blend's.
TEST(EnsembleStacker, KeptTreesAlwaysBeatTheBlend) {
  int seeds_without_trees = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const BlendData data = random_alpha_noise(600, 200, seed);
    const EnsembleResult result = fit_ensemble("E", data, quick_stacker(seed), 1);
    const StackerResult& stacker = result.stacker;
    ASSERT_TRUE(stacker.trained) << "seed " << seed;
    if (stacker.rounds == 0) {
      ++seeds_without_trees;
      EXPECT_EQ(stacker.test_prediction, result.test_prediction) << "seed " << seed;
      EXPECT_EQ(stacker.rounds_tried, quick_stacker().early_stopping_rounds) << "seed " << seed;
    } else {
      EXPECT_LT(stacker.holdout_stacker.metrics.rmse, stacker.holdout_blend.metrics.rmse)
          << "seed " << seed << ", " << stacker.rounds << " trees";
    }
  }
  EXPECT_GT(seeds_without_trees, 0) << "some seeds should find no tree that helps";
}

TEST(EnsembleStacker, LearnablePatternMatchesByHand) {
  testing::TempDir temp;
  DataDir dir(temp / "data");
  const BlendData data = nonlinear_blend(2000, 1000);
  const EnsembleResult result = fit_ensemble("Step", data, quick_stacker(), 1);
  write_ensemble(dir, result, {{"hash", "h"}});
  const StackerResult& stacker = result.stacker;
  ASSERT_GT(stacker.rounds, 0);
  ASSERT_GE(stacker.holdout_rmse.size(), static_cast<std::size_t>(stacker.rounds));

  // The residual model's holdout RMSE at the kept count beats the blend,
  // and clamping blend + trees to the scale can only lower it further.
  const double kept_rmse = stacker.holdout_rmse[stacker.rounds - 1];
  EXPECT_LT(kept_rmse, stacker.holdout_blend.metrics.rmse);
  EXPECT_LE(stacker.holdout_stacker.metrics.rmse, kept_rmse + 1e-6);

  // Test RMSE of blend and blend + trees from the stored predictions.
  H5File h5(dir.alpha_dir("Step") / "predictions.h5", H5File::Mode::read);
  const Expected blend = direct_metrics(h5.read_floats("test"), data.test_truth);
  const Expected trees = direct_metrics(h5.read_floats("stacker/test"), data.test_truth);
  EXPECT_LT(trees.rmse, blend.rmse - 0.05);
  const nlohmann::json json = read_ensemble_json(dir, "Step");
  const auto& stored = json["stacker"];
  EXPECT_EQ(stored["improves_holdout"], true);
  EXPECT_EQ(stored["rounds"], stacker.rounds);
  EXPECT_NEAR(stored["test"]["blend"]["rmse"].get<double>(), blend.rmse, 1e-6);
  EXPECT_NEAR(stored["test"]["stacker"]["rmse"].get<double>(), trees.rmse, 1e-6);

  const std::string kept_message = "kept " + std::to_string(stacker.rounds) + " of ";
  EXPECT_TRUE(contains(ensemble_text(json), "stacker: " + kept_message));
  const std::string markdown = read_text(ensemble_report_file(dir, "Step"));
  EXPECT_TRUE(contains(markdown, "Outcome: " + kept_message));
  EXPECT_TRUE(contains(markdown, "| validation holdout | "));
  EXPECT_TRUE(contains(read_text(ensemble_plot_file(dir, "Step")),
                       "stacker: kept " + std::to_string(stacker.rounds) + " trees; test RMSE " +
                           metric_text(stored["test"]["blend"]["rmse"]) + " (blend) -&gt; "));
}

// --- Stored results and reports ------------------------------------------

TEST(EnsembleReport, JsonTextMarkdownAndSvg) {
  const BlendData data = nonlinear_blend(300, 100);
  const EnsembleResult result = fit_ensemble("Blend<1>", data, quick_stacker(), 1);
  const nlohmann::json json = ensemble_to_json(result, {{"hash", "h"}});
  EXPECT_EQ(json["alphas"], nlohmann::json({"a", "b", "c"}));
  EXPECT_DOUBLE_EQ(json["blend"]["beta"]["b"].get<double>(), result.beta[1]);
  ASSERT_EQ(json["steps"].size(), 3u);
  EXPECT_DOUBLE_EQ(json["steps"][1]["validation"]["rmse"].get<double>(),
                   result.steps[1].validation.metrics.rmse);
  EXPECT_EQ(json["stacker"]["trained"], true);
  EXPECT_EQ(json["stacker"]["rounds"], result.stacker.rounds);
  EXPECT_EQ(json["provenance"]["hash"], "h");

  const std::string text = ensemble_text(json);
  EXPECT_TRUE(contains(text, "linear blend of 3 alphas, beta fitted on 300 ratings of validation"));
  for (const char* alpha : {"   1  a", "   2  b", "   3  c"}) EXPECT_TRUE(contains(text, alpha));

  const std::string markdown = ensemble_markdown(json);
  EXPECT_TRUE(contains(markdown, "| 2 | b | "));
  EXPECT_TRUE(contains(markdown, "![RMSE as alphas join the blend](Blend<1>.svg)"));

  const std::string svg = ensemble_svg(json);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_TRUE(contains(svg, "</svg>"));
  EXPECT_EQ(count_of(svg, "<polyline"), 2u);
  EXPECT_EQ(count_of(svg, "<circle"), 6u);  // 3 steps x validation and test
  EXPECT_TRUE(contains(svg, "Ensemble Blend&lt;1&gt;"));
  EXPECT_FALSE(contains(svg, "Blend<1>"));
}

TEST(EnsembleReport, WrittenAtomicallyAndReadBack) {
  testing::TempDir temp;
  DataDir dir(temp / "data");
  const EnsembleResult result = fit_ensemble("E", nonlinear_blend(300, 100), quick_stacker(), 1);
  write_ensemble(dir, result, {{"hash", "abc"}});

  const nlohmann::json json = read_ensemble_json(dir, "E");
  EXPECT_EQ(json["provenance"]["hash"], "abc");
  EXPECT_TRUE(fs::exists(ensemble_report_file(dir, "E")));
  EXPECT_TRUE(fs::exists(ensemble_plot_file(dir, "E")));
  H5File h5(dir.alpha_dir("E") / "predictions.h5", H5File::Mode::read);
  EXPECT_EQ(h5.read_floats("validation"), result.validation_prediction);
  EXPECT_EQ(h5.read_floats("test"), result.test_prediction);
  EXPECT_EQ(h5.read_floats("stacker/test"), result.stacker.test_prediction);
  // Nothing staged is left behind, and the ensemble is not mistaken for an alpha.
  EXPECT_TRUE(fs::is_empty(dir.alphas_dir() / ".staging"));
  EXPECT_FALSE(dir.has_alpha("E"));

  // Writing again replaces the folder.
  write_ensemble(dir, result, {{"hash", "def"}});
  EXPECT_EQ(read_ensemble_json(dir, "E")["provenance"]["hash"], "def");
  EXPECT_THROW(read_ensemble_json(dir, "missing"), Error);
}

TEST(EnsembleReport, BlendDataFromStoredPredictions) {
  testing::TempDir temp;
  DataDir dir(temp / "data");
  Ratings training, validation, test;
  training.push_back(0, 0, 4);
  training.push_back(1, 1, 2);
  validation.push_back(0, 1, 3);
  validation.push_back(1, 0, 5);
  test.push_back(1, 1, 1);
  Dataset dataset = testing::make_dataset(2, 2, training, validation, test);
  dataset.scale = {1.0, 5.0};
  testing::install_dataset(dir, dataset);
  for (const char* alpha : {"x", "y"}) {
    fs::create_directories(dir.alpha_dir(alpha));
    H5File h5(dir.predictions_file(alpha), H5File::Mode::create);
    const float shift = alpha[0] == 'x' ? 0.0f : 10.0f;
    h5.write("training", std::vector<float>{1 + shift, 2 + shift});
    h5.write("validation", std::vector<float>{3 + shift, 4 + shift});
    h5.write("test", std::vector<float>{5 + shift});
  }
  PredictionStore store(dir, dataset);
  const BlendData data = load_blend_data({"y", "x"}, store);
  EXPECT_EQ(data.validation[0], (std::vector<float>{13, 14}));
  EXPECT_EQ(data.validation[1], (std::vector<float>{3, 4}));
  EXPECT_EQ(data.test[0], (std::vector<float>{15}));
  EXPECT_EQ(data.validation_truth, (std::vector<float>{3, 5}));
  EXPECT_EQ(data.test_truth, (std::vector<float>{1}));
  EXPECT_DOUBLE_EQ(data.scale.max, 5.0);
}

// --- Case 01: blend of the cold-start recipe -----------------------------

TEST(EnsembleCase01, BlendPredictionsAreFinite) {
  PluginHost host({fs::path(ALPHAS_PLUGIN_DIR)});
  for (const char* family : {"UserItemBiases", "MatrixFactorization", "ItemCF", "GNN"}) {
    if (!host.has_family(family)) {
      GTEST_SKIP() << "plugin family " << family << " is not built in " << ALPHAS_PLUGIN_DIR;
    }
  }
  testing::TempDir temp;
  DataDir dir(temp / "data");
  const fs::path recipe_file = fs::path(ALPHAS_TEST_DATA_DIR) / "cases" / "01-cold-start-unseen-ids" /
                               "recipe-with-blend.yaml";
  Runner runner(read_validated_recipe(recipe_file, host), dir, host, temp / "share");
  RunOptions options;
  const RunReport report = runner.run(options);
  EXPECT_EQ(report.ran, (std::vector<std::string>{"bias", "mf", "itemcf", "dae", "blend"}));

  for (const char* alpha : {"bias", "mf", "itemcf", "dae"}) {
    H5File h5(dir.predictions_file(alpha), H5File::Mode::read);
    for (const char* split : {"training", "validation", "test"}) {
      for (float value : h5.read_floats(split)) {
        ASSERT_TRUE(std::isfinite(value)) << alpha << " " << split;
      }
    }
  }
  H5File blend(dir.alpha_dir("blend") / "predictions.h5", H5File::Mode::read);
  for (const char* split : {"validation", "test"}) {
    for (float value : blend.read_floats(split)) {
      ASSERT_TRUE(std::isfinite(value)) << "blend " << split;
      EXPECT_GE(value, 1.0f);
      EXPECT_LE(value, 5.0f);
    }
  }
  const nlohmann::json json = read_ensemble_json(dir, "blend");
  for (const auto& [alpha, beta] : json["blend"]["beta"].items()) {
    EXPECT_TRUE(beta.is_number()) << alpha;
  }
}

}  // namespace
}  // namespace alphas
