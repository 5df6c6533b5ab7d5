#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <Eigen/Dense>
#include <random>

#include "alphas/metrics.hpp"
#include "biases.hpp"

namespace alphas::biases {
namespace {

struct Fixture {
  Ratings ratings;
  int32_t n_users;
  int32_t n_items;
};

BiasModel fit_table(const Fixture& f, double lambda_u, double lambda_a) {
  FitOptions options;
  options.lambda_u = lambda_u;
  options.lambda_a = lambda_a;
  options.tolerance = 1e-12;
  return fit(group_by_user(f.ratings, f.n_users, f.n_items),
             group_by_item(f.ratings, f.n_users, f.n_items), options);
}

// Second implementation: the stationarity conditions of the loss as one
// dense linear system over the seen users and items,
//   (n_i + lu) u_i + sum_{j in Omega_i} a_j - lu * mean(u) = sum_j r_ij
//   (m_j + la) a_j + sum_{i rated j}  u_i - la * mean(a) = sum_i r_ij
// solved for the minimum-norm solution (the system is singular along
// u + c, a - c). Returns predictions for every (user, item) of the grid,
// with mean(u) / mean(a) for users / items that have no ratings.
std::vector<double> reference_predictions(const Fixture& f, double lu, double la) {
  std::vector<int> user_index(f.n_users, -1), item_index(f.n_items, -1);
  int n_seen_users = 0, n_seen_items = 0;
  for (std::size_t k = 0; k < f.ratings.size(); ++k) {
    if (user_index[f.ratings.user[k]] < 0) user_index[f.ratings.user[k]] = n_seen_users++;
  }
  for (std::size_t k = 0; k < f.ratings.size(); ++k) {
    if (item_index[f.ratings.item[k]] < 0) item_index[f.ratings.item[k]] = n_seen_items++;
  }
  const int n = n_seen_users + n_seen_items;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
  for (int i = 0; i < n_seen_users; ++i) {
    m(i, i) += lu;
    for (int k = 0; k < n_seen_users; ++k) m(i, k) -= lu / n_seen_users;
  }
  for (int j = 0; j < n_seen_items; ++j) {
    const int row = n_seen_users + j;
    m(row, row) += la;
    for (int k = 0; k < n_seen_items; ++k) m(row, n_seen_users + k) -= la / n_seen_items;
  }
  for (std::size_t k = 0; k < f.ratings.size(); ++k) {
    const int i = user_index[f.ratings.user[k]];
    const int j = n_seen_users + item_index[f.ratings.item[k]];
    const double r = f.ratings.rating[k];
    m(i, i) += 1;
    m(i, j) += 1;
    rhs(i) += r;
    m(j, j) += 1;
    m(j, i) += 1;
    rhs(j) += r;
  }
  Eigen::VectorXd x = m.completeOrthogonalDecomposition().solve(rhs);
  const double mean_u = x.head(n_seen_users).mean();
  const double mean_a = x.tail(n_seen_items).mean();
  std::vector<double> out;
  for (int32_t u = 0; u < f.n_users; ++u) {
    for (int32_t i = 0; i < f.n_items; ++i) {
      const double bu = user_index[u] >= 0 ? x(user_index[u]) : mean_u;
      const double ba = item_index[i] >= 0 ? x(n_seen_users + item_index[i]) : mean_a;
      out.push_back(bu + ba);
    }
  }
  return out;
}

std::vector<float> grid_predictions(const BiasModel& model, const Fixture& f) {
  std::vector<int32_t> users, items;
  for (int32_t u = 0; u < f.n_users; ++u) {
    for (int32_t i = 0; i < f.n_items; ++i) {
      users.push_back(u);
      items.push_back(i);
    }
  }
  return predict(model, users, items);
}

// One item rated 2 and 4 by two users, lambda = 1. The item bias has no
// penalty (it equals its own mean), the user deviations -1 and +1 from the
// item's mean 3 shrink by 1 / (1 + lambda_u): predictions 2.5 and 3.5. An
// unseen user gets mean(u) + a = 3; an unseen item for user 0 gets
// u_0 + mean(a) = 2.5.
TEST(UserItemBiases, HandComputedTwoUsers) {
  Fixture f;
  f.ratings.push_back(0, 0, 2);
  f.ratings.push_back(1, 0, 4);
  f.n_users = 3;  // user 2 is unseen
  f.n_items = 2;  // item 1 is unseen
  BiasModel model = fit_table(f, 1.0, 1.0);
  ASSERT_TRUE(model.converged);
  std::vector<float> p = predict(model, {0, 1, 2, 0}, {0, 0, 0, 1});
  EXPECT_NEAR(p[0], 2.5, 1e-6);
  EXPECT_NEAR(p[1], 3.5, 1e-6);
  EXPECT_NEAR(p[2], 3.0, 1e-6);
  EXPECT_NEAR(p[3], 2.5, 1e-6);
}

// The cold-start fixture: 4 users x 4 items, 10 ratings; user 4 and item 4
// are the unseen u9 and i9.
Fixture cold_start_fixture() {
  Fixture f;
  const int table[10][3] = {{0, 0, 5}, {0, 1, 3}, {0, 2, 4}, {1, 0, 4}, {1, 1, 2},
                            {2, 1, 4}, {2, 2, 3}, {2, 3, 1}, {3, 0, 5}, {3, 3, 2}};
  for (const auto& row : table) f.ratings.push_back(row[0], row[1], float(row[2]));
  f.n_users = 5;
  f.n_items = 5;
  return f;
}

TEST(UserItemBiases, MatchesLinearSystemIncludingUnseen) {
  const Fixture f = cold_start_fixture();
  for (auto [lu, la] : {std::pair{1.0, 1.0}, std::pair{0.3, 5.0}, std::pair{10.0, 0.1}}) {
    BiasModel model = fit_table(f, lu, la);
    ASSERT_TRUE(model.converged);
    std::vector<float> got = grid_predictions(model, f);
    std::vector<double> expected = reference_predictions(f, lu, la);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
      EXPECT_NEAR(got[k], expected[k], 1e-5)
          << "lambda (" << lu << ", " << la << "), user " << k / 5 << ", item " << k % 5;
    }
  }
}

// For an unseen user the ranking is by item bias alone; with this data the
// best item is i1 (rated 5, 4, 5) and the worst i4 (rated 1, 2).
TEST(UserItemBiases, UnseenUserRanksByItemBias) {
  const Fixture f = cold_start_fixture();
  BiasModel model = fit_table(f, 1.0, 1.0);
  std::vector<float> p = predict(model, {4, 4, 4, 4}, {0, 1, 2, 3});
  EXPECT_GT(p[0], p[2]);
  EXPECT_GT(p[2], p[1]);
  EXPECT_GT(p[1], p[3]);
}

TEST(UserItemBiases, SameResultForOneAndTwoThreads) {
  Fixture f;
  std::mt19937 rng(11);
  f.n_users = 200;
  f.n_items = 50;
  for (int k = 0; k < 3000; ++k) {
    f.ratings.push_back(int32_t(rng() % 200), int32_t(rng() % 50), float(1 + rng() % 10));
  }
  BiasModel one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = fit_table(f, 2.0, 3.0);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two = fit_table(f, 2.0, 3.0);
  }
  EXPECT_EQ(one.user, two.user);
  EXPECT_EQ(one.item, two.item);
}

}  // namespace
}  // namespace alphas::biases

namespace alphas::biases {
namespace {

// Users with few, noisy ratings around a per-item mean: strong shrinkage of
// the user biases should beat lambda = (1, 1) on held-out ratings.
TEST(UserItemBiases, TunedLambdaBeatsDefault) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::vector<double> item_mean(40);
  for (auto& m : item_mean) m = 3 + (rng() % 50) / 10.0;
  Ratings training, validation;
  for (int32_t u = 0; u < 400; ++u) {
    for (int k = 0; k < 4; ++k) {
      int32_t i = int32_t(rng() % 40);
      float r = float(item_mean[i] + noise(rng));
      (k == 0 ? validation : training).push_back(u, i, r);
    }
  }
  CsrMatrix by_user = group_by_user(training, 400, 40);
  CsrMatrix by_item = group_by_item(training, 400, 40);
  FitOptions start;
  start.tolerance = 1e-9;
  double tuned_mse = 0;
  FitOptions tuned = tune(by_user, by_item, validation, start, 40, &tuned_mse);

  const double default_mse =
      mse(predict(fit(by_user, by_item, start), validation.user, validation.item),
          validation.rating);
  const double refit_mse =
      mse(predict(fit(by_user, by_item, tuned), validation.user, validation.item),
          validation.rating);
  EXPECT_LT(refit_mse, default_mse);
  EXPECT_NEAR(refit_mse, tuned_mse, 1e-9);
  EXPECT_GT(tuned.lambda_u, 1.0);  // noisy users need more shrinkage
}

}  // namespace
}  // namespace alphas::biases
