// Loads the built matrix_factorization module through PluginHost, as the
// `alphas` program does, and runs an alpha created from it.
#include <gtest/gtest.h>

#include <filesystem>

#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/plugin_host.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

class MatrixFactorizationPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A folder with only this module, so other plugins cannot interfere.
    fs::create_directories(plugins_);
    fs::copy_file(MATRIX_FACTORIZATION_PLUGIN_FILE,
                  plugins_ / fs::path(MATRIX_FACTORIZATION_PLUGIN_FILE).filename());
  }

  testing::TempDir tmp_;
  fs::path plugins_ = tmp_.path() / "plugins";
};

TEST_F(MatrixFactorizationPluginTest, DeclaresFamily) {
  PluginHost host({plugins_});
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].name, "matrix_factorization");
  EXPECT_TRUE(host.has_family("MatrixFactorization"));
  EXPECT_EQ(host.plugins()[0].families.size(), host.plugins()[0].descriptions.size());
}

TEST_F(MatrixFactorizationPluginTest, RunsAlphaFromModule) {
  PluginHost host({plugins_});
  Ratings training;
  training.push_back(0, 0, 5);
  training.push_back(1, 1, 4);
  const Dataset dataset = testing::make_dataset(2, 2, training, {}, {});
  DataDir dir(tmp_.path() / "data");
  testing::install_dataset(dir, dataset);
  PredictionStore store(dir, dataset);

  AlphaSpec spec;
  spec.name = "MatrixFactorization.2";
  spec.family = "MatrixFactorization";
  spec.params = {{"lambda_u", 0.1}, {"lambda_a", 0.1}, {"max_iterations", 20}};
  {
    AlphaContext context(spec, dir, store, 1, host.plugins()[0].version);
    std::shared_ptr<Alpha> alpha = host.create("MatrixFactorization");
    run_phases(*alpha, context);
  }
  ASSERT_TRUE(dir.has_alpha("MatrixFactorization.2"));
  H5File h5(dir.predictions_file("MatrixFactorization.2"), H5File::Mode::read);
  const std::vector<float> predictions = h5.read_floats("training");
  ASSERT_EQ(predictions.size(), 2u);
  // One rating per row and column: the fixed point is r − λ (see als_test.cpp).
  EXPECT_NEAR(predictions[0], 4.9, 0.1);
  EXPECT_NEAR(predictions[1], 3.9, 0.1);
}

}  // namespace
}  // namespace alphas
