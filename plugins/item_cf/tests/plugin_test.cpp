// Loads the built item_cf module through PluginHost, as the `alphas`
// program does, and runs an alpha created from it.
#include <gtest/gtest.h>

#include <filesystem>

#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/plugin_host.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

class ItemCfPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A folder with only this module, so other plugins cannot interfere.
    fs::create_directories(plugins_);
    fs::copy_file(ITEM_CF_PLUGIN_FILE, plugins_ / fs::path(ITEM_CF_PLUGIN_FILE).filename());
  }

  testing::TempDir tmp_;
  fs::path plugins_ = tmp_.path() / "plugins";
};

TEST_F(ItemCfPluginTest, DeclaresFamily) {
  PluginHost host({plugins_});
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].name, "item_cf");
  EXPECT_TRUE(host.has_family("ItemCF"));
  EXPECT_FALSE(host.has_family("ItemCF.Resid"));
}

TEST_F(ItemCfPluginTest, RunsAlphaFromModule) {
  PluginHost host({plugins_});
  // Item 1's only neighbor is item 0, the only item user 2 rated, so with
  // λ = (1, 1, 0) the prediction for (user 2, item 1) is that rating, 3.
  Ratings training, test;
  training.push_back(0, 0, 1);
  training.push_back(0, 1, 2);
  training.push_back(1, 0, 2);
  training.push_back(1, 1, 4);
  training.push_back(2, 0, 3);
  test.push_back(2, 1, 0);
  const Dataset dataset = testing::make_dataset(3, 2, training, {}, test);
  DataDir dir(tmp_.path() / "data");
  testing::install_dataset(dir, dataset);
  PredictionStore store(dir, dataset);

  AlphaSpec spec;
  spec.name = "ItemCF.5";
  spec.family = "ItemCF";
  spec.params = {{"lambda1", 1.0}, {"lambda2", 1.0}, {"lambda3", 0.0}};
  {
    AlphaContext context(spec, dir, store, 1, host.plugins()[0].version);
    std::shared_ptr<Alpha> alpha = host.create("ItemCF");
    run_phases(*alpha, context);
  }
  ASSERT_TRUE(dir.has_alpha("ItemCF.5"));
  H5File h5(dir.predictions_file("ItemCF.5"), H5File::Mode::read);
  const std::vector<float> test_predictions = h5.read_floats("test");
  ASSERT_EQ(test_predictions.size(), 1u);
  EXPECT_NEAR(test_predictions[0], 3.0, 1e-6);
}

}  // namespace
}  // namespace alphas
