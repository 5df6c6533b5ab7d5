#include <gtest/gtest.h>

#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/residuals.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

using testing::TempDir;

Ratings table(std::vector<float> ratings) {
  Ratings r;
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    r.push_back(int32_t(k % 3), int32_t(k % 2), ratings[k]);
  }
  return r;
}

// Stores fake predictions for an alpha, one vector per explicit split.
void store_predictions(const DataDir& dir, const std::string& alpha,
                       const std::vector<std::vector<float>>& by_split) {
  std::filesystem::create_directories(dir.alpha_dir(alpha));
  H5File h5(dir.predictions_file(alpha), H5File::Mode::create);
  h5.write("training", by_split[0]);
  h5.write("validation", by_split[1]);
  h5.write("test", by_split[2]);
}

class ResidualsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dataset_ = testing::make_dataset(3, 2, table({4, 6}), table({3, 5, 7, 9}), table({2}));
    store_predictions(dir_, "A", {{1, 2}, {1, 2, 3, 4}, {5}});
    store_predictions(dir_, "B", {{1, 0}, {1, 1, 0, 1}, {2}});
  }
  TempDir tmp_;
  DataDir dir_{tmp_.path()};
  Dataset dataset_;
};

// Reference: the 2x2 normal equations solved by Cramer's rule.
//   X = [a b] on validation; G = X^T X, h = X^T y.
TEST_F(ResidualsTest, BetaMatchesDirectSolve) {
  const std::vector<double> a = {1, 2, 3, 4}, b = {1, 1, 0, 1}, y = {3, 5, 7, 9};
  double aa = 0, ab = 0, bb = 0, ay = 0, by = 0;
  for (int k = 0; k < 4; ++k) {
    aa += a[k] * a[k];
    ab += a[k] * b[k];
    bb += b[k] * b[k];
    ay += a[k] * y[k];
    by += b[k] * y[k];
  }
  const double det = aa * bb - ab * ab;
  const double beta_a = (ay * bb - ab * by) / det;
  const double beta_b = (aa * by - ab * ay) / det;

  PredictionStore store(dir_, dataset_);
  std::vector<double> beta = store.beta({"A", "B"});
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_NEAR(beta[0], beta_a, 1e-9);
  EXPECT_NEAR(beta[1], beta_b, 1e-9);

  Ratings test = store.residuals(Split::test, {"A", "B"});
  ASSERT_EQ(test.size(), 1u);
  EXPECT_NEAR(test.rating[0], 2 - (beta_a * 5 + beta_b * 2), 1e-5);
}

TEST_F(ResidualsTest, EmptyListGivesRatings) {
  PredictionStore store(dir_, dataset_);
  Ratings training = store.residuals(Split::training, {});
  EXPECT_EQ(training.rating, (std::vector<float>{4, 6}));
}

// One alpha: beta = a.y / a.a = (3 + 10 + 21 + 36) / 30 = 7/3.
TEST_F(ResidualsTest, SingleAlphaResiduals) {
  PredictionStore store(dir_, dataset_);
  Ratings training = store.residuals(Split::training, {"A"});
  EXPECT_NEAR(training.rating[0], 4 - 7.0 / 3.0 * 1, 1e-5);
  EXPECT_NEAR(training.rating[1], 6 - 7.0 / 3.0 * 2, 1e-5);
}

TEST_F(ResidualsTest, CollinearAlphasGiveFiniteBeta) {
  store_predictions(dir_, "A2", {{2, 4}, {2, 4, 6, 8}, {10}});
  PredictionStore store(dir_, dataset_);
  std::vector<double> beta = store.beta({"A", "A2"});
  // Minimum-norm solution of a rank-1 system: the fit equals the one-alpha fit.
  EXPECT_NEAR(beta[0] + 2 * beta[1], 7.0 / 3.0, 1e-9);
}

TEST_F(ResidualsTest, MissingAlphaNamesIt) {
  PredictionStore store(dir_, dataset_);
  try {
    store.residuals(Split::training, {"Missing"});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("'Missing'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("alphas run Missing"), std::string::npos) << e.what();
  }
}

TEST_F(ResidualsTest, WrongLengthIsRejected) {
  store_predictions(dir_, "Short", {{1}, {1, 2, 3, 4}, {5}});
  PredictionStore store(dir_, dataset_);
  EXPECT_ANY_THROW(store.predictions("Short", Split::training));
}

}  // namespace
}  // namespace alphas

namespace alphas {
namespace {

TEST(DatasetFile, OutOfRangeIdIsRejectedOnLoad) {
  testing::TempDir tmp;
  Ratings good, bad;
  good.push_back(0, 0, 3);
  bad.push_back(0, 5, 3);  // item 5 of 2
  save_dataset(testing::make_dataset(1, 2, good, bad, good), tmp / "d.h5");
  try {
    load_dataset(tmp / "d.h5");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/validation"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("import the data again"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace alphas
