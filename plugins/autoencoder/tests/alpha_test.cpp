// The alpha through the framework's context: the outputs each family
// writes, and the residual its metrics are measured against.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include <ATen/Context.h>

#include "alphas/atomic_file.hpp"
#include "alphas/data_dir.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/residuals.hpp"
#include "autoencoder_alpha.hpp"
#include "test_data.hpp"

namespace alphas::autoencoder {
namespace {

namespace fs = std::filesystem;

// Stores predictions of a stand-in upstream alpha: value(rating, item) per pair.
template <class Value>
void store_alpha(const DataDir& dir, const Dataset& dataset, const std::string& name, Value value) {
  fs::create_directories(dir.alpha_dir(name));
  H5File h5(dir.predictions_file(name), H5File::Mode::create);
  for (Split split : kExplicitSplits) {
    const Ratings& r = dataset.split(split);
    std::vector<float> p;
    for (std::size_t k = 0; k < r.size(); ++k) p.push_back(value(r.rating[k], r.item[k]));
    h5.write(split_name(split), p);
  }
  std::ofstream(dir.params_file(name)) << "{}\n";
  std::ofstream(dir.metrics_file(name)) << "{}\n";
}

// RMSE of b * prediction against truth with b = (x . y) / (x . x).
double scaled_rmse(const std::vector<float>& x, const std::vector<float>& y) {
  double xy = 0, xx = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    xy += static_cast<double>(x[k]) * y[k];
    xx += static_cast<double>(x[k]) * x[k];
  }
  const double b = xx > 0 ? xy / xx : 0.0;
  double sse = 0;
  for (std::size_t k = 0; k < x.size(); ++k) sse += std::pow(y[k] - b * x[k], 2);
  return std::sqrt(sse / static_cast<double>(x.size()));
}

class AlphaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(root);
    save_dataset(dataset, dir.dataset_file());
    // "Base" explains the mean, "Other" a per-item pattern of the rating.
    store_alpha(dir, dataset, "Base", [](float, int32_t) { return 5.5f; });
    store_alpha(dir, dataset, "Other", [](float rating, int32_t item) {
      return 0.6f * rating + 0.3f * static_cast<float>(item % 4);
    });
    loaded = load_dataset(dir.dataset_file());
    store = std::make_unique<PredictionStore>(dir, loaded);
  }
  void TearDown() override { fs::remove_all(root); }

  AlphaSpec spec(const std::string& name, const std::string& family) const {
    AlphaSpec s;
    s.name = name;
    s.family = family;
    s.residual_alphas = {"Base"};
    s.params = {{"encoder_widths", {8, 6, 4}}, {"batch_size", 8},  {"eval_interval", 5},
                {"max_steps", 20},             {"training_eval_batches", 1},
                {"validation_eval_batches", 2}};
    s.seed = 1;
    return s;
  }

  void run(const AlphaSpec& s, bool implicit_head) {
    AlphaContext context(s, dir, *store, 1, "test");
    AutoencoderAlpha alpha(implicit_head);
    run_phases(alpha, context);
  }

  std::vector<float> stored(const std::string& name, Split split) const {
    return H5File(dir.predictions_file(name), H5File::Mode::read).read_floats(split_name(split));
  }

  fs::path root = fs::temp_directory_path() / ("autoencoder_alpha_test_" + std::to_string(::getpid()));
  DataDir dir{root};
  Dataset dataset = testing::make_dataset(12, 15, 4);
  Dataset loaded;
  std::unique_ptr<PredictionStore> store;
};

TEST_F(AlphaTest, ResidOutputsAndMetricTarget) {
  AlphaSpec s = spec("GNN.Resid.1", "GNN.Resid");
  s.target_alphas = {"Base", "Other"};
  run(s, false);

  EXPECT_TRUE(dir.has_alpha("GNN.Resid.1"));
  EXPECT_FALSE(fs::exists(dir.alpha_dir("GNN.Resid.1.Implicit")));

  const nlohmann::json metrics = nlohmann::json::parse(read_text(dir.metrics_file("GNN.Resid.1")));
  const std::vector<float> prediction = stored("GNN.Resid.1", Split::validation);
  const double against_target =
      scaled_rmse(prediction, store->residuals(Split::validation, {"Base", "Other"}).rating);
  const double against_input = scaled_rmse(prediction, store->residuals(Split::validation, {"Base"}).rating);
  EXPECT_NEAR(metrics["validation"]["rmse"].get<double>(), against_target, 1e-6);
  EXPECT_GT(std::abs(against_target - against_input), 1e-3);

  const nlohmann::json params = nlohmann::json::parse(read_text(dir.params_file("GNN.Resid.1")));
  EXPECT_EQ(params["targets"], nlohmann::json({"Base", "Other"}));
  EXPECT_EQ(params["inputs"], nlohmann::json({"Base"}));
  EXPECT_EQ(params["fitted"]["steps"], 20);
}

TEST_F(AlphaTest, GnnFamilyWritesRatingsAndImplicit) {
  run(spec("GNN.1", "GNN"), true);
  ASSERT_TRUE(dir.has_alpha("GNN.1"));
  ASSERT_TRUE(dir.has_alpha("GNN.1.Implicit"));
  EXPECT_EQ(stored("GNN.1", Split::training).size(), dataset.training.size());

  H5File implicit(dir.predictions_file("GNN.1.Implicit"), H5File::Mode::read);
  EXPECT_FALSE(implicit.has("training"));
  const std::vector<float> p = implicit.read_floats("validation");
  ASSERT_EQ(p.size(), dataset.validation.size());
  for (float v : p) {
    EXPECT_GT(v, 0.0f);
    EXPECT_LT(v, 1.0f);
  }
  const nlohmann::json metrics = nlohmann::json::parse(read_text(dir.metrics_file("GNN.1.Implicit")));
  EXPECT_TRUE(metrics["validation"].contains("cross_entropy"));
}

TEST_F(AlphaTest, ResidFamilyWithoutTargetAlphasIsRejected) {
  AlphaContext context(spec("GNN.Resid.1", "GNN.Resid"), dir, *store, 1, "test");
  AutoencoderAlpha alpha(false);
  try {
    run_phases(alpha, context);
    FAIL() << "GNN.Resid without targets was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("set targets"), std::string::npos) << error.what();
  }
}

TEST_F(AlphaTest, InvalidParameterNamesKeyAndValue) {
  AlphaSpec s = spec("GNN.1", "GNN");
  s.params["dropout"] = 1.5;
  AlphaContext context(s, dir, *store, 1, "test");
  AutoencoderAlpha alpha(true);
  try {
    run_phases(alpha, context);
    FAIL() << "dropout 1.5 was accepted";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'dropout'"), std::string::npos) << message;
    EXPECT_NE(message.find("1.5"), std::string::npos) << message;
    EXPECT_EQ(message.rfind("GNN.1: ", 0), 0u) << message;
  }
}

TEST_F(AlphaTest, UnknownOptimizerNamesAlpha) {
  AlphaSpec s = spec("GNN.1", "GNN");
  s.params["optimizer"] = "sgd";
  AlphaContext context(s, dir, *store, 1, "test");
  AutoencoderAlpha alpha(true);
  try {
    run_phases(alpha, context);
    FAIL() << "optimizer sgd was accepted";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("GNN.1: parameter 'optimizer'", 0), 0u) << message;
    EXPECT_NE(message.find("lazy_adam"), std::string::npos) << message;
  }
}

TEST_F(AlphaTest, CudaDeviceFailsAtLoad) {
  if (at::hasCUDA()) GTEST_SKIP() << "this LibTorch has CUDA";
  AlphaSpec s = spec("GNN.1", "GNN");
  s.params["device"] = "cuda";
  AlphaContext context(s, dir, *store, 1, "test");
  AutoencoderAlpha alpha(true);
  EXPECT_THROW(run_phases(alpha, context), InputError);
}

}  // namespace
}  // namespace alphas::autoencoder
