#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

using testing::TempDir;

class AlphaContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ratings training, validation, test;
    training.push_back(0, 0, 4);
    training.push_back(1, 1, 2);
    validation.push_back(0, 1, 3);
    validation.push_back(1, 0, 5);
    test.push_back(1, 1, 1);
    dataset_ = testing::make_dataset(2, 2, training, validation, test);
    testing::install_dataset(dir_, dataset_);
    spec_.name = "Const.1";
    spec_.family = "Const";
    spec_.params = {{"value", 2.0}, {"unused", 1}};
  }
  TempDir tmp_;
  DataDir dir_{tmp_.path()};
  Dataset dataset_;
  AlphaSpec spec_;
};

Predictor constant(float value) {
  return [value](const std::vector<int32_t>& users, const std::vector<int32_t>&) {
    return std::vector<float>(users.size(), value);
  };
}

// Constant prediction 2 on validation targets (3, 5): b = (6 + 10) / 8 = 2,
// so b * pred = 4 and the errors are -1, 1: RMSE 1, MAE 1, R^2 = 1 - 2/2 = 0.
TEST_F(AlphaContextTest, WritesPredictionsParamsAndMetrics) {
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  const double value = context.params().get<double>("value", 1.0);
  context.record("lambda", 0.5);
  context.write_predictions(constant(float(value)));

  ASSERT_TRUE(dir_.has_alpha("Const.1"));
  H5File h5(dir_.predictions_file("Const.1"), H5File::Mode::read);
  EXPECT_EQ(h5.read_floats("training"), (std::vector<float>{2, 2}));
  EXPECT_EQ(h5.read_floats("test"), (std::vector<float>{2}));

  auto metrics = nlohmann::json::parse(read_text(dir_.metrics_file("Const.1")));
  EXPECT_NEAR(metrics["validation"]["b"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(metrics["validation"]["rmse"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(metrics["validation"]["mae"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(metrics["validation"]["r2"].get<double>(), 0.0, 1e-6);
  EXPECT_FALSE(metrics.contains("test"));

  auto params = nlohmann::json::parse(read_text(dir_.params_file("Const.1")));
  EXPECT_EQ(params["family"], "Const");
  EXPECT_EQ(params["plugin_version"], "1.0.0");
  EXPECT_EQ(params["fitted"]["lambda"], 0.5);
  EXPECT_EQ(params["params"]["value"], 2.0);
  EXPECT_EQ(context.unused_params(), std::vector<std::string>{"unused"});
  EXPECT_TRUE(std::filesystem::exists(dir_.log_file("Const.1")));
}

TEST_F(AlphaContextTest, NonFinitePredictionWritesNothing) {
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  try {
    context.write_predictions(constant(std::numeric_limits<float>::quiet_NaN()));
    FAIL() << "expected NumericError";
  } catch (const NumericError& e) {
    EXPECT_NE(std::string(e.what()).find("Const"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("index 0"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.alpha_dir("Const.1")));
}

TEST_F(AlphaContextTest, ImplicitOutputStoresHeldOutSplitsOnly) {
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  context.write_predictions(constant(0.5f), OutputOptions{".Implicit", true});
  H5File h5(dir_.predictions_file("Const.1.Implicit"), H5File::Mode::read);
  EXPECT_FALSE(h5.has("training"));
  EXPECT_TRUE(h5.has("validation"));
  auto metrics = nlohmann::json::parse(read_text(dir_.metrics_file("Const.1.Implicit")));
  EXPECT_NEAR(metrics["validation"]["cross_entropy"].get<double>(), std::log(2.0), 1e-6);
}

TEST_F(AlphaContextTest, RewriteReplacesWholeOutput) {
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  context.write_predictions(constant(1.0f));
  context.write_predictions(constant(3.0f));
  H5File h5(dir_.predictions_file("Const.1"), H5File::Mode::read);
  EXPECT_EQ(h5.read_floats("validation"), (std::vector<float>{3, 3}));
}

// Occurrences of `fragment` in `text`.
std::size_t count_of(const std::string& text, const std::string& fragment) {
  std::size_t count = 0;
  for (auto at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + 1)) {
    ++count;
  }
  return count;
}

TEST_F(AlphaContextTest, LogKeepsEarlierAttempts) {
  PredictionStore store(dir_, dataset_);
  {
    AlphaContext failed(spec_, dir_, store, 1, "1.0.0");
    failed.log().info("first attempt");
  }
  {
    AlphaContext resumed(spec_, dir_, store, 1, "1.0.0");
    resumed.log().info("second attempt");
    resumed.write_predictions(constant(1.0f));
  }
  const std::string log = read_text(dir_.log_file("Const.1"));
  EXPECT_EQ(count_of(log, "--- run started "), 2u) << log;
  const auto first = log.find("first attempt");
  const auto separator = log.find("--- run started ", log.find("--- run started ") + 1);
  const auto second = log.find("second attempt");
  ASSERT_NE(first, std::string::npos) << log;
  ASSERT_NE(second, std::string::npos) << log;
  EXPECT_LT(first, separator);
  EXPECT_LT(separator, second);
  // "--- run started 2026-12-04 23:41:41 UTC ---"
  const std::string line = log.substr(separator, log.find('\n', separator) - separator);
  EXPECT_EQ(line.size(), std::string("--- run started 2026-12-04 23:41:41 UTC ---").size()) << line;
  EXPECT_EQ(line.substr(line.size() - 8), " UTC ---") << line;
  EXPECT_EQ(AlphaContext::live_log_file(dir_, "Const.1"),
            dir_.alphas_dir() / ".work" / "Const.1" / "log.txt");
}

TEST_F(AlphaContextTest, WrongParamTypeNamesKey) {
  spec_.params["value"] = "high";
  AlphaParams params(spec_);
  EXPECT_DOUBLE_EQ(params.get<double>("value", 1.0), 1.0);  // the fallback
  ASSERT_EQ(params.problems().size(), 1u);
  EXPECT_EQ(params.problems()[0].key, "value");
  EXPECT_EQ(params.problems()[0].message,
            "Const.1: parameter 'value' is \"high\", but it must be a number; fix it in the "
            "recipe's params");
  try {
    params.throw_if_invalid();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), params.problems()[0].message);
  }
}

}  // namespace
}  // namespace alphas

namespace alphas {
namespace {

AlphaSpec spec_with(nlohmann::json params) {
  AlphaSpec spec;
  spec.name = "P";
  spec.family = "P";
  spec.params = std::move(params);
  return spec;
}

TEST(AlphaParams, IntegersAreNotTruncated) {
  AlphaParams params(spec_with({{"fraction", 2.5}, {"huge", 4294967297LL}, {"flag", true},
                                {"k", 7}, {"negative", -3}}));
  EXPECT_EQ(params.get<int>("fraction", 1), 1);
  EXPECT_EQ(params.get<int>("huge", 1), 1);
  EXPECT_EQ(params.get<int>("flag", 1), 1);
  EXPECT_FALSE(params.get<bool>("k", false));
  EXPECT_EQ(params.get<uint32_t>("negative", 1u), 1u);
  EXPECT_EQ(params.get<int>("k", 1), 7);
  EXPECT_EQ(params.get<int64_t>("huge", 1), 4294967297LL);
  EXPECT_DOUBLE_EQ(params.get<double>("k", 1.0), 7.0);
  EXPECT_TRUE(params.get<bool>("flag", false));

  std::vector<std::string> keys;
  for (const auto& problem : params.problems()) keys.push_back(problem.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"fraction", "huge", "flag", "k", "negative"}));
  EXPECT_NE(params.problems()[1].message.find("an integer from -2147483648 to 2147483647"),
            std::string::npos)
      << params.problems()[1].message;
  EXPECT_NE(params.problems()[4].message.find("an integer from 0 to 4294967295"),
            std::string::npos)
      << params.problems()[4].message;
}

TEST(AlphaParams, KeyKeepsItsFirstProblem) {
  AlphaParams params(spec_with({{"K", "ten"}, {"rate", 2.0}}));
  const int k = params.get<int>("K", 0);
  if (k < 1) params.reject("K", std::to_string(k), "it must be >= 1");
  const double rate = params.get<double>("rate", 0.5);
  if (rate >= 1) params.reject("rate", "2", "it must be below 1");
  params.add_problem("", "P: the two settings conflict; change one");

  ASSERT_EQ(params.problems().size(), 3u);
  EXPECT_NE(params.problems()[0].message.find("'K' is \"ten\""), std::string::npos);
  EXPECT_EQ(params.problems()[1].message,
            "P: parameter 'rate' is 2, but it must be below 1; fix it in the recipe's params");
  try {
    params.throw_if_invalid();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string text = e.what();
    EXPECT_EQ(text.rfind("P: 3 invalid parameters:\n  P: parameter 'K'", 0), 0u) << text;
    EXPECT_NE(text.find("\n  P: the two settings conflict"), std::string::npos) << text;
  }
}

TEST(AlphaParams, UsedAndUnusedKeys) {
  AlphaParams params(spec_with({{"read", 3}, {"typo", 1}}));
  params.get<int>("read", 0);
  params.get<double>("absent", 0.25);
  EXPECT_EQ(params.used(), (nlohmann::json{{"read", 3}, {"absent", 0.25}}));
  EXPECT_EQ(params.unused(), std::vector<std::string>{"typo"});
  EXPECT_TRUE(params.problems().empty());
  EXPECT_NO_THROW(params.throw_if_invalid());
}

TEST(AlphaParams, KnownKeysIncludeAskedOnes) {
  AlphaParams params(spec_with({{"lambda_u", 0.5}, {"lamda_a", 1}}));
  params.get<int>("K", 10);
  EXPECT_FALSE(params.contains("lambda_a"));
  EXPECT_TRUE(params.contains("lambda_u"));
  EXPECT_EQ(params.known(), (std::vector<std::string>{"K", "lambda_a", "lambda_u"}));
  // contains alone does not read a value, so both recipe keys are unread.
  EXPECT_EQ(params.unused(), (std::vector<std::string>{"lambda_u", "lamda_a"}));
}

// An alpha whose configure reads one parameter and then throws.
class ThrowingConfigure final : public Alpha {
 public:
  void configure(AlphaParams& params) override {
    params.get<int>("n", 1);
    throw std::runtime_error("cannot open the vocabulary file");
  }
  void load(AlphaContext&) override { loaded = true; }
  void train(AlphaContext&) override {}
  void write(AlphaContext&) override {}
  bool loaded = false;
};

TEST(AlphaParams, ConfigureExceptionIsAProblem) {
  AlphaParams params(spec_with({{"n", -1.5}}));
  ThrowingConfigure alpha;
  const auto& problems = configure_alpha(alpha, params);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].key, "n");
  EXPECT_EQ(problems[1].key, "");
  EXPECT_EQ(problems[1].message, "P: cannot open the vocabulary file");
}

TEST_F(AlphaContextTest, RunPhasesStopsBeforeLoad) {
  spec_.params = {{"n", "x"}};
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  ThrowingConfigure alpha;
  EXPECT_THROW(run_phases(alpha, context), InputError);
  EXPECT_FALSE(alpha.loaded);
  EXPECT_FALSE(std::filesystem::exists(dir_.alpha_dir("Const.1")));
}

}  // namespace
}  // namespace alphas
