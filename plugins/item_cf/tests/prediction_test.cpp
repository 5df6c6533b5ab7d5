// Tests of the ItemCF prediction: hand-computed values, the fallback, the
// gathered form used in tuning, and the zero-norm case.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "alphas/sparse.hpp"
#include "case_reader.hpp"
#include "dense_reference.hpp"
#include "neighbors.hpp"
#include "prediction.hpp"

namespace alphas::item_cf {
namespace {

TEST(SignedPower, Definition) {
  EXPECT_DOUBLE_EQ(signed_power(0.0, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(signed_power(0.0, 0.0), 0.0);
  EXPECT_NEAR(signed_power(-8.0, 1.0 / 3.0), -2.0, 1e-12);
  EXPECT_DOUBLE_EQ(signed_power(4.0, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(signed_power(-3.0, 0.0), -1.0);
  EXPECT_DOUBLE_EQ(signed_power(0.25, 2.0), 0.0625);
}

// The residuals of neighbors_test.cpp's hand example:
//        i0   i1   i2   i3
//   u0    1    1   -2
//   u1    2         1
//   u2        -1    2
//   u3    1
// with S01 = 1/√12, S12 = -4/(3√2), S02 = 0 and i3 a zero column, so
// N(i0) = {i1}, N(i1) = {i2, i0}, N(i2) = {i1}, N(i3) = {}.
class HandExample : public ::testing::Test {
 protected:
  void SetUp() override {
    training_.push_back(0, 0, 1);
    training_.push_back(0, 1, 1);
    training_.push_back(0, 2, -2);
    training_.push_back(1, 0, 2);
    training_.push_back(1, 2, 1);
    training_.push_back(2, 1, -1);
    training_.push_back(2, 2, 2);
    training_.push_back(3, 0, 1);
    by_user_ = group_by_user(training_, 4, 4);
    neighbors_ = compute_neighbors(by_user_, group_by_item(training_, 4, 4), 2);
  }

  double predict(int32_t u, int32_t j, const CfLambdas& lambdas,
                 FallbackCounts* fallbacks = nullptr) {
    return predict_pairs(neighbors_, by_user_, {u}, {j}, lambdas, fallbacks)[0];
  }

  Ratings training_;
  CsrMatrix by_user_;
  NeighborLists neighbors_;
};

TEST_F(HandExample, PlainWeightedMean) {
  const CfLambdas plain{1.0, 1.0, 0.0};
  const double s01 = 1.0 / std::sqrt(12.0);
  const double s12 = -4.0 / (3.0 * std::sqrt(2.0));
  // u1 on i1: neighbors i2 (r = 1) and i0 (r = 2).
  EXPECT_NEAR(predict(1, 1, plain), (s12 * 1 + s01 * 2) / (std::abs(s12) + s01), 1e-6);
  // u2 on i0: only neighbor i1, rated -1.
  EXPECT_NEAR(predict(2, 0, plain), -1.0, 1e-6);
  // u0 on its own training item i0: i0 is not its own neighbor, so the
  // value comes from i1 alone.
  EXPECT_NEAR(predict(0, 0, plain), 1.0, 1e-6);
}

TEST_F(HandExample, PowersAndShrinkage) {
  // λ1 = 2: |S12|² = 16/18, |S01|² = 1/12; λ2 = 0.5: d(2, 0.5) = √2.
  const CfLambdas lambdas{2.0, 0.5, 0.1};
  const double expected =
      (-(16.0 / 18.0) * 1.0 + (1.0 / 12.0) * std::sqrt(2.0)) / (16.0 / 18.0 + 1.0 / 12.0 + 0.1);
  EXPECT_NEAR(predict(1, 1, lambdas), expected, 1e-6);
  // u3 on i1: only i0 is rated (r = 1): S01 / (S01 + 0.5) with λ1 = λ2 = 1.
  const double s01 = 1.0 / std::sqrt(12.0);
  EXPECT_NEAR(predict(3, 1, CfLambdas{1.0, 1.0, 0.5}), s01 / (s01 + 0.5), 1e-6);
}

TEST_F(HandExample, FallbackIsZeroAndCounted) {
  FallbackCounts fallbacks;
  const std::vector<float> prediction =
      predict_pairs(neighbors_, by_user_, {0, 3, 1, 3}, {3, 2, 1, 3}, CfLambdas{}, &fallbacks);
  EXPECT_EQ(prediction[0], 0.0f);  // i3 has no ratings
  EXPECT_EQ(prediction[1], 0.0f);  // u3 rated none of N(i2) = {i1}
  EXPECT_NE(prediction[2], 0.0f);
  EXPECT_EQ(prediction[3], 0.0f);
  EXPECT_EQ(fallbacks.pairs, 3);
  EXPECT_EQ(fallbacks.unseen_item, 2);
  EXPECT_EQ(fallbacks.no_rated_neighbor, 1);
}

TEST_F(HandExample, ZeroResidualCountsInDenominator) {
  // u1's residual on i0 becomes exactly 0: the pair (u1, i0) stays rated,
  // so for i1 the numerator loses S01 · 2 but the denominator keeps S01.
  training_.rating[3] = 0.0f;
  by_user_ = group_by_user(training_, 4, 4);
  neighbors_ = compute_neighbors(by_user_, group_by_item(training_, 4, 4), 2);
  // Column i0 is now (1, 0, 0, 1): S01 = 1 / (√2 √2) = 0.5, S12 unchanged.
  const double s12 = -4.0 / (3.0 * std::sqrt(2.0));
  EXPECT_NEAR(predict(1, 1, CfLambdas{1.0, 1.0, 0.0}), (s12 * 1) / (std::abs(s12) + 0.5), 1e-6);
}

TEST(Prediction, GatheredMatchesDirect) {
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const int32_t n_users = 60, n_items = 30;
  Ratings training, requests;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t j = 0; j < n_items; ++j) {
      const double draw = uniform(rng);
      if (draw < 0.35) {
        training.push_back(u, j, float(normal(rng)));
      } else if (draw < 0.5) {
        requests.push_back(u, j, 0.0f);
      }
    }
  }
  const CsrMatrix by_user = group_by_user(training, n_users, n_items);
  const NeighborLists neighbors =
      compute_neighbors(by_user, group_by_item(training, n_users, n_items), 6);
  const testing::DenseItemCf reference(training, n_users, n_items);

  const ContributionTable table =
      gather_contributions(neighbors, by_user, requests.user, requests.item);
  ASSERT_EQ(table.pairs(), requests.size());
  for (const CfLambdas& lambdas :
       {CfLambdas{1.0, 1.0, 0.0}, CfLambdas{0.3, 2.5, 0.01}, CfLambdas{4.0, 0.2, 3.0}}) {
    const std::vector<float> gathered = predict_gathered(table, lambdas);
    const std::vector<float> direct =
        predict_pairs(neighbors, by_user, requests.user, requests.item, lambdas);
    for (std::size_t n = 0; n < requests.size(); ++n) {
      // The same arithmetic on the same terms: bitwise equal.
      EXPECT_EQ(gathered[n], direct[n]) << "pair " << n;
      const double expected =
          reference.predict(requests.user[n], requests.item[n], 6, lambdas.similarity_power,
                            lambdas.rating_power, lambdas.shrinkage);
      EXPECT_NEAR(direct[n], expected, 1e-4 * std::max(1.0, std::abs(expected)))
          << "pair " << n << " (user " << requests.user[n] << ", item " << requests.item[n]
          << ")";
    }
  }
}

TEST(Prediction, OutOfRangeIdIsRejected) {
  Ratings training;
  training.push_back(0, 0, 1.0f);
  training.push_back(0, 1, 2.0f);
  const CsrMatrix by_user = group_by_user(training, 1, 2);
  const NeighborLists neighbors = compute_neighbors(by_user, group_by_item(training, 1, 2), 1);
  EXPECT_THROW(predict_pairs(neighbors, by_user, {0}, {2}, CfLambdas{}), std::out_of_range);
  EXPECT_THROW(predict_pairs(neighbors, by_user, {1}, {0}, CfLambdas{}), std::out_of_range);
}

// The case in tests/data/cases/09-cosine-zero-norm with λ = (1, 1, 0),
// where our formula is the case's Σ S r / Σ |S|: u1 on i3 = 3.657764 and
// u3 on i1 = 1.785476. Pairs on i4 (no ratings) get our fallback 0, a
// residual of "no information". The case's global-mean fallback is what the
// earlier alphas of a chain supply.
TEST(Prediction, ZeroNormColumnCase) {
  testing::CaseIds ids;
  const Ratings training =
      testing::read_case_table(testing::case_file("09-cosine-zero-norm", "ratings.csv"), ids);
  testing::read_case_table(testing::case_file("09-cosine-zero-norm", "implicit.csv"), ids);
  const Ratings requests =
      testing::read_case_table(testing::case_file("09-cosine-zero-norm", "requests.csv"), ids);
  const int32_t n_users = int32_t(ids.users.size()), n_items = int32_t(ids.items.size());
  const CsrMatrix by_user = group_by_user(training, n_users, n_items);
  const NeighborLists neighbors =
      compute_neighbors(by_user, group_by_item(training, n_users, n_items), 10);

  FallbackCounts fallbacks;
  const std::vector<float> prediction = predict_pairs(
      neighbors, by_user, requests.user, requests.item, CfLambdas{1.0, 1.0, 0.0}, &fallbacks);
  ASSERT_EQ(prediction.size(), 4u);
  EXPECT_NEAR(prediction[0], 3.657764, 1e-5);  // u1, i3
  EXPECT_NEAR(prediction[1], 1.785476, 1e-5);  // u3, i1
  EXPECT_EQ(prediction[2], 0.0f);              // u1, i4
  EXPECT_EQ(prediction[3], 0.0f);              // u2, i4
  EXPECT_EQ(fallbacks.pairs, 2);
  EXPECT_EQ(fallbacks.unseen_item, 2);
}

// The case in tests/data/cases/10-topk-exceeds-catalog, K = 50 on 5 items:
// every pair of the user-item grid against the dense reference, so no list
// is read past its end.
TEST(Prediction, KLargerThanCatalogCase) {
  testing::CaseIds ids;
  const Ratings training =
      testing::read_case_table(testing::case_file("10-topk-exceeds-catalog", "ratings.csv"), ids);
  const int32_t n_users = int32_t(ids.users.size()), n_items = int32_t(ids.items.size());
  const CsrMatrix by_user = group_by_user(training, n_users, n_items);
  const NeighborLists neighbors =
      compute_neighbors(by_user, group_by_item(training, n_users, n_items), 50);
  const testing::DenseItemCf reference(training, n_users, n_items);

  std::vector<int32_t> users, items;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t j = 0; j < n_items; ++j) {
      users.push_back(u);
      items.push_back(j);
    }
  }
  const CfLambdas lambdas{1.3, 0.7, 0.2};
  const std::vector<float> prediction = predict_pairs(neighbors, by_user, users, items, lambdas);
  for (std::size_t n = 0; n < users.size(); ++n) {
    EXPECT_NEAR(prediction[n], reference.predict(users[n], items[n], 50, 1.3, 0.7, 0.2), 1e-5)
        << "user " << users[n] << ", item " << items[n];
  }
}

}  // namespace
}  // namespace alphas::item_cf
