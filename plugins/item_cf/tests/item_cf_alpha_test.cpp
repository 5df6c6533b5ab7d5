// Tests of the ItemCF alpha through the framework: a dataset saved in a
// temporary data directory, a PredictionStore and an AlphaContext, with
// the four phases run as the runner runs them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/log.hpp"
#include "case_reader.hpp"
#include "item_cf_alpha.hpp"
#include "support/temp_dir.hpp"

namespace alphas::item_cf {
namespace {

using alphas::testing::TempDir;

class ItemCfAlphaTest : public ::testing::Test {
 protected:
  void install(const Dataset& dataset) {
    dataset_ = dataset;
    alphas::testing::install_dataset(dir_, dataset_);
    store_ = std::make_unique<PredictionStore>(dir_, dataset_);
  }

  void run(const AlphaSpec& spec) {
    AlphaContext context(spec, dir_, *store_, 2, "test");
    ItemCfAlpha alpha;
    run_phases(alpha, context);
  }

  AlphaSpec spec(const std::string& name, nlohmann::json params,
                 std::vector<std::string> residual_alphas = {}) const {
    AlphaSpec s;
    s.name = name;
    s.family = "ItemCF";
    s.params = std::move(params);
    s.residual_alphas = std::move(residual_alphas);
    s.seed = 9;
    return s;
  }

  // Stores predictions for a stand-in input alpha named `name`.
  void write_input_alpha(const std::string& name, const Predictor& predict) {
    AlphaSpec s;
    s.name = name;
    s.family = "Input";
    AlphaContext context(s, dir_, *store_, 1, "test");
    context.write_predictions(predict);
  }

  nlohmann::json read_json(const std::filesystem::path& file) const {
    return nlohmann::json::parse(read_text(file));
  }

  TempDir tmp_;
  DataDir dir_{tmp_.path()};
  Dataset dataset_;
  std::unique_ptr<PredictionStore> store_;
};

// Ratings 5 + (preference of the user for the item's group of 4) + noise:
// items of one group have similar columns, which is what ItemCF exploits.
Dataset make_grouped_dataset(int32_t n_users, int32_t n_items) {
  std::mt19937 rng(4);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const int32_t n_groups = 4;
  std::vector<double> preference(n_users * n_groups);
  for (double& p : preference) p = 1.5 * normal(rng);
  Ratings training, validation, test;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t j = 0; j < n_items; ++j) {
      const double draw = uniform(rng);
      if (draw > 0.5) continue;
      const float value = float(5.0 + preference[u * n_groups + j % n_groups] + 0.3 * normal(rng));
      if (draw < 0.4) {
        training.push_back(u, j, value);
      } else if (draw < 0.45) {
        validation.push_back(u, j, value);
      } else {
        test.push_back(u, j, value);
      }
    }
  }
  return alphas::testing::make_dataset(n_users, n_items, training, validation, test);
}

TEST_F(ItemCfAlphaTest, TunesAndWritesPredictions) {
  install(make_grouped_dataset(120, 40));
  // Cosine neighborhoods need centered input: on raw ratings around 5 every
  // pair of items looks alike. A constant input alpha plays the role that
  // UserItemBiases has in the reference chain.
  write_input_alpha("Mean", [](const std::vector<int32_t>& users, const std::vector<int32_t>&) {
    return std::vector<float>(users.size(), 5.0f);
  });
  run(spec("ItemCF.16", {}, {"Mean"}));

  ASSERT_TRUE(dir_.has_alpha("ItemCF.16"));
  const nlohmann::json params = read_json(dir_.params_file("ItemCF.16"));
  const nlohmann::json& fitted = params["fitted"];
  for (const char* key : {"lambda1", "lambda2", "lambda3"}) {
    ASSERT_TRUE(fitted.contains(key)) << key;
    EXPECT_GT(fitted[key].get<double>(), 0.0) << key;
  }
  EXPECT_EQ(fitted["neighbors"], 16);
  EXPECT_EQ(fitted["tuning_pairs"].get<std::size_t>(), dataset_.validation.size());
  EXPECT_EQ(params["params"]["K"], 16);

  // The residuals are the group preference (standard deviation 1.5) plus
  // noise of 0.3.
  const nlohmann::json metrics = read_json(dir_.metrics_file("ItemCF.16"));
  EXPECT_GT(metrics["validation"]["r2"].get<double>(), 0.5);

  H5File h5(dir_.predictions_file("ItemCF.16"), H5File::Mode::read);
  EXPECT_EQ(h5.read_floats("training").size(), dataset_.training.size());
  EXPECT_EQ(h5.read_floats("test").size(), dataset_.test.size());
}

// ItemCF.Resid.<X>.1.256 is the same family on other inputs: K comes from
// the name's last part, and the residuals of any input list are used.
TEST_F(ItemCfAlphaTest, RunsOnAnyResidualInputs) {
  install(make_grouped_dataset(60, 24));
  write_input_alpha("Base", [](const std::vector<int32_t>&, const std::vector<int32_t>& items) {
    std::vector<float> p;
    for (int32_t item : items) p.push_back(4.0f + 0.05f * float(item));
    return p;
  });
  write_input_alpha("Other", [](const std::vector<int32_t>& users, const std::vector<int32_t>&) {
    std::vector<float> p;
    for (int32_t user : users) p.push_back(float(user % 3));
    return p;
  });
  run(spec("ItemCF.Resid.Other.1.256", {}, {"Base", "Other"}));
  run(spec("ItemCF.256", {}));

  const nlohmann::json params = read_json(dir_.params_file("ItemCF.Resid.Other.1.256"));
  EXPECT_EQ(params["inputs"], (nlohmann::json{"Base", "Other"}));
  EXPECT_EQ(params["params"]["K"], 256);
  EXPECT_EQ(params["fitted"]["neighbors"], 23);  // capped at n_items - 1

  H5File on_residuals(dir_.predictions_file("ItemCF.Resid.Other.1.256"), H5File::Mode::read);
  H5File on_ratings(dir_.predictions_file("ItemCF.256"), H5File::Mode::read);
  EXPECT_NE(on_residuals.read_floats("validation"), on_ratings.read_floats("validation"));
}

TEST_F(ItemCfAlphaTest, FixedLambdasSkipTuning) {
  install(make_grouped_dataset(30, 12));
  run(spec("ItemCF.4", {{"lambda1", 2.0}, {"lambda2", 1.0}, {"lambda3", 0.5}}));
  const nlohmann::json fitted = read_json(dir_.params_file("ItemCF.4"))["fitted"];
  EXPECT_FALSE(fitted.contains("search_evaluations"));
  EXPECT_DOUBLE_EQ(fitted["lambda1"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(fitted["lambda3"].get<double>(), 0.5);
}

TEST_F(ItemCfAlphaTest, SearchLinesReachTheAlphaLog) {
  install(make_grouped_dataset(40, 12));
  set_verbosity(1);  // evaluations are logged at debug level
  run(spec("ItemCF.4", {{"search_evaluations", 5}}));
  set_verbosity(0);
  const std::string log = read_text(dir_.log_file("ItemCF.4"));
  for (int evaluation = 1; evaluation <= 5; ++evaluation) {
    EXPECT_NE(log.find("search evaluation " + std::to_string(evaluation) + ": lambda1="),
              std::string::npos)
        << "evaluation " << evaluation << " is missing from:\n" << log;
  }
}

TEST_F(ItemCfAlphaTest, TuningSampleHonorsMaximum) {
  install(make_grouped_dataset(200, 20));
  ASSERT_GT(dataset_.validation.size(), 150u);
  run(spec("ItemCF.8", {{"max_tuning_pairs", 60}, {"search_evaluations", 10}}));
  const auto sampled =
      read_json(dir_.params_file("ItemCF.8"))["fitted"]["tuning_pairs"].get<int64_t>();
  // A Bernoulli sample with mean 60: within 30 of it with overwhelming odds.
  EXPECT_GT(sampled, 30);
  EXPECT_LT(sampled, 90);
}

TEST_F(ItemCfAlphaTest, InvalidParametersAreRejected) {
  install(make_grouped_dataset(10, 6));
  EXPECT_THROW(run(spec("ItemCF", {})), InputError);
  EXPECT_THROW(run(spec("ItemCF.0", {})), InputError);
  EXPECT_THROW(run(spec("ItemCF.4", {{"lambda2", -0.5}})), InputError);
  EXPECT_THROW(run(spec("ItemCF.4", {{"lambda1", "high"}})), InputError);
  EXPECT_THROW(run(spec("ItemCF.4", {{"max_tuning_pairs", 0}})), InputError);
  EXPECT_FALSE(std::filesystem::exists(dir_.alpha_dir("ItemCF.4")));
}

// The problems that configure records for `params`, with no dataset
// anywhere.
std::vector<ParamProblem> configure_problems(const std::string& name, nlohmann::json params) {
  AlphaSpec spec;
  spec.name = name;
  spec.family = "ItemCF";
  spec.params = std::move(params);
  AlphaParams reader(spec);
  ItemCfAlpha alpha;
  return configure_alpha(alpha, reader);
}

TEST(ItemCfConfigure, ReportsEveryProblemAtOnce) {
  const auto problems = configure_problems(
      "ItemCF.Resid.X", {{"K", -1}, {"lambda2", -0.5}, {"search_evaluations", 0},
                         {"max_tuning_pairs", "many"}});
  std::vector<std::string> keys;
  for (const auto& problem : problems) keys.push_back(problem.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"K", "lambda2", "search_evaluations",
                                            "max_tuning_pairs"}));
  EXPECT_EQ(problems[0].message,
            "ItemCF.Resid.X: parameter 'K' is -1, but it must be >= 1; fix it in the recipe's "
            "params");
  EXPECT_EQ(problems[1].message,
            "ItemCF.Resid.X: parameter 'lambda2' is -0.5, but it must be a finite number >= 0; "
            "fix it in the recipe's params");
}

TEST(ItemCfConfigure, MissingKNamesTheFix) {
  const auto problems = configure_problems("ItemCF", {});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "K");
  EXPECT_NE(problems[0].message.find("add params {K: <integer>}"), std::string::npos)
      << problems[0].message;
  EXPECT_TRUE(configure_problems("ItemCF.Resid.GNN.1.256", {}).empty());
}

TEST_F(ItemCfAlphaTest, EmptyValidationNeedsFixedLambdas) {
  Ratings training;
  training.push_back(0, 0, 3);
  training.push_back(0, 1, 4);
  training.push_back(1, 1, 2);
  install(alphas::testing::make_dataset(2, 2, training, {}, {}));
  try {
    run(spec("ItemCF.4", {{"lambda1", 1.0}}));
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("set all three"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(dir_.has_alpha("ItemCF.4"));
}

// The case in tests/data/cases/09-cosine-zero-norm, run as an alpha with
// λ = (1, 1, 0) fixed and the requests as the test split. The two pairs on
// the unrated item i4 get the fallback 0, and the log counts them.
TEST_F(ItemCfAlphaTest, ZeroNormColumnCase) {
  testing::CaseIds ids;
  const Ratings training =
      testing::read_case_table(testing::case_file("09-cosine-zero-norm", "ratings.csv"), ids);
  testing::read_case_table(testing::case_file("09-cosine-zero-norm", "implicit.csv"), ids);
  const Ratings requests =
      testing::read_case_table(testing::case_file("09-cosine-zero-norm", "requests.csv"), ids);
  install(alphas::testing::make_dataset(int32_t(ids.users.size()), int32_t(ids.items.size()),
                                        training, {}, requests));
  run(spec("ItemCF.10", {{"lambda1", 1.0}, {"lambda2", 1.0}, {"lambda3", 0.0}}));

  H5File h5(dir_.predictions_file("ItemCF.10"), H5File::Mode::read);
  const std::vector<float> test = h5.read_floats("test");
  ASSERT_EQ(test.size(), 4u);
  EXPECT_NEAR(test[0], 3.657764, 1e-5);
  EXPECT_NEAR(test[1], 1.785476, 1e-5);
  EXPECT_EQ(test[2], 0.0f);
  EXPECT_EQ(test[3], 0.0f);
  const std::string log = read_text(dir_.log_file("ItemCF.10"));
  EXPECT_NE(log.find("2 of 4 pairs use the fallback 0 (2 of an item without training ratings"),
            std::string::npos)
      << log;
}

TEST_F(ItemCfAlphaTest, NonFiniteInputFailsWithoutWriting) {
  Dataset dataset = make_grouped_dataset(20, 8);
  dataset.training.rating[5] = std::numeric_limits<float>::infinity();
  install(dataset);
  try {
    run(spec("ItemCF.4", {{"lambda1", 1.0}, {"lambda2", 1.0}, {"lambda3", 1.0}}));
    FAIL() << "expected NumericError";
  } catch (const NumericError& error) {
    EXPECT_NE(std::string(error.what()).find("ItemCF: training residuals"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.alpha_dir("ItemCF.4")));
}

}  // namespace
}  // namespace alphas::item_cf
