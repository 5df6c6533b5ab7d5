#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
  const double value = context.param<double>("value", 1.0);
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

TEST_F(AlphaContextTest, WrongParamTypeNamesKey) {
  spec_.params["value"] = "high";
  PredictionStore store(dir_, dataset_);
  AlphaContext context(spec_, dir_, store, 1, "1.0.0");
  try {
    context.param<double>("value", 1.0);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'value'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"high\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace alphas

namespace alphas {
namespace {

TEST(AlphaParams, IntegersAreNotTruncated) {
  testing::TempDir tmp;
  DataDir dir(tmp.path());
  Ratings r;
  r.push_back(0, 0, 1);
  Dataset dataset = testing::make_dataset(1, 1, r, r, r);
  PredictionStore store(dir, dataset);
  AlphaSpec spec;
  spec.name = "P";
  spec.family = "P";
  spec.params = {{"fraction", 2.5}, {"huge", 4294967297LL}, {"flag", true}, {"k", 7},
                 {"negative", -3}};
  AlphaContext context(spec, dir, store, 1, "1");
  EXPECT_THROW(context.param<int>("fraction", 1), InputError);
  EXPECT_THROW(context.param<int>("huge", 1), InputError);
  EXPECT_THROW(context.param<int>("flag", 1), InputError);
  EXPECT_THROW(context.param<bool>("k", false), InputError);
  EXPECT_THROW(context.param<uint32_t>("negative", 1u), InputError);
  EXPECT_EQ(context.param<int>("k", 1), 7);
  EXPECT_EQ(context.param<int64_t>("huge", 1), 4294967297LL);
  EXPECT_DOUBLE_EQ(context.param<double>("k", 1.0), 7.0);
  EXPECT_TRUE(context.param<bool>("flag", false));
}

}  // namespace
}  // namespace alphas
