// Tests of split_dataset: proportions, the training guarantee, ordering,
// determinism across seeds and thread counts, and implicit_training.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include "alphas/dataset.hpp"
#include "alphas/import.hpp"
#include "alphas/split.hpp"

namespace alphas {
namespace {

using Triple = std::tuple<int32_t, int32_t, float>;

// `per_user[u]` ratings for user u, items 0.., ratings cycling 1..10.
Ratings make_ratings(const std::vector<int>& per_user) {
  Ratings ratings;
  for (int32_t u = 0; u < static_cast<int32_t>(per_user.size()); ++u) {
    for (int32_t i = 0; i < per_user[u]; ++i) {
      ratings.push_back(u, i, static_cast<float>(1 + (u + i) % 10));
    }
  }
  return ratings;
}

// The same rows in a seeded random order, so users interleave.
Ratings shuffled(const Ratings& ratings, uint32_t seed) {
  std::vector<std::size_t> order(ratings.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::mt19937 generator(seed);
  std::shuffle(order.begin(), order.end(), generator);
  Ratings result;
  for (std::size_t k : order) result.push_back(ratings.user[k], ratings.item[k], ratings.rating[k]);
  return result;
}

Dataset split(const Ratings& ratings, uint64_t seed, const Ratings& implicit = Ratings()) {
  Dataset dataset;
  split_dataset(ratings, implicit, seed, dataset);
  return dataset;
}

std::multiset<Triple> triples(const Ratings& ratings) {
  std::multiset<Triple> result;
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    result.insert({ratings.user[k], ratings.item[k], ratings.rating[k]});
  }
  return result;
}

std::map<int32_t, int> count_by_user(const Ratings& ratings) {
  std::map<int32_t, int> counts;
  for (int32_t u : ratings.user) ++counts[u];
  return counts;
}

void expect_identical(const Dataset& a, const Dataset& b) {
  for (Split s : {Split::training, Split::validation, Split::test, Split::implicit_training}) {
    EXPECT_EQ(a.split(s).user, b.split(s).user) << split_name(s);
    EXPECT_EQ(a.split(s).item, b.split(s).item) << split_name(s);
    EXPECT_EQ(a.split(s).rating, b.split(s).rating) << split_name(s);
  }
}

// A second implementation of the documented rule, written from the header:
// per user, the k-th rating in input order gets split_draw(seed, u, k);
// p = 0.1 for n < 100, else 10/n; draw < p is validation, draw < 2p test,
// else training; a user with no training rating gets its first back.
Dataset reference_split(const Ratings& ratings, uint64_t seed) {
  std::map<int32_t, std::vector<std::size_t>> rows_of_user;
  for (std::size_t k = 0; k < ratings.size(); ++k) rows_of_user[ratings.user[k]].push_back(k);

  Dataset dataset;
  for (const auto& [user, rows] : rows_of_user) {
    const double n = static_cast<double>(rows.size());
    const double p = rows.size() < 100 ? 0.1 : 10.0 / n;
    std::vector<int> part(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const double draw = split_draw(seed, user, static_cast<int64_t>(k));
      part[k] = 0;
      if (draw < 2 * p) part[k] = 2;
      if (draw < p) part[k] = 1;
    }
    if (std::count(part.begin(), part.end(), 0) == 0) part[0] = 0;
    Ratings* targets[3] = {&dataset.training, &dataset.validation, &dataset.test};
    for (std::size_t k = 0; k < rows.size(); ++k) {
      targets[part[k]]->push_back(ratings.user[rows[k]], ratings.item[rows[k]], ratings.rating[rows[k]]);
    }
  }
  return dataset;
}

TEST(Splitmix64, MatchesReferenceOutputs) {
  // The first two outputs of the splitmix64 generator started at state 0
  // (state advances by 0x9E3779B97F4A7C15), checked against a separate
  // Python implementation.
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64(0x9E3779B97F4A7C15ULL), 0x6E789E6AA1B965F4ULL);
}

TEST(SplitDraw, UniformInUnitInterval) {
  double sum = 0.0;
  int below_tenth = 0;
  const int n = 100000;
  for (int k = 0; k < n; ++k) {
    const double draw = split_draw(42, k % 1000, k / 1000);
    ASSERT_GE(draw, 0.0);
    ASSERT_LT(draw, 1.0);
    sum += draw;
    below_tenth += draw < 0.1 ? 1 : 0;
  }
  // Mean 0.5 with standard error 0.0009; P(draw < 0.1) = 0.1 with 0.00095.
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_NEAR(static_cast<double>(below_tenth) / n, 0.1, 0.005);
  EXPECT_NE(split_draw(1, 0, 0), split_draw(2, 0, 0));
  EXPECT_NE(split_draw(1, 0, 0), split_draw(1, 1, 0));
  EXPECT_NE(split_draw(1, 0, 0), split_draw(1, 0, 1));
}

TEST(SplitDataset, MatchesTheDocumentedRule) {
  std::vector<int> per_user;
  for (int u = 0; u < 300; ++u) per_user.push_back(1 + (u * 7) % 160);  // 1 to 160 ratings
  const Ratings ratings = shuffled(make_ratings(per_user), 3);
  const Dataset actual = split(ratings, 99);
  const Dataset expected = reference_split(ratings, 99);
  EXPECT_EQ(actual.training.user, expected.training.user);
  EXPECT_EQ(actual.training.item, expected.training.item);
  EXPECT_EQ(actual.training.rating, expected.training.rating);
  EXPECT_EQ(actual.validation.user, expected.validation.user);
  EXPECT_EQ(actual.validation.item, expected.validation.item);
  EXPECT_EQ(actual.test.user, expected.test.user);
  EXPECT_EQ(actual.test.item, expected.test.item);
}

TEST(SplitDataset, ProportionsForSmallUsers) {
  const Ratings ratings = make_ratings(std::vector<int>(2000, 20));
  const Dataset dataset = split(ratings, 20220313);
  const double n = 40000.0;
  // Binomial(40000, 0.1) has standard deviation 60; 5 sd is 300 rows.
  EXPECT_NEAR(dataset.validation.size() / n, 0.1, 300 / n);
  EXPECT_NEAR(dataset.test.size() / n, 0.1, 300 / n);
  EXPECT_NEAR(dataset.training.size() / n, 0.8, 400 / n);
}

TEST(SplitDataset, AboutTenHeldOutForHeavyUsers) {
  std::vector<int> per_user(60, 200);
  per_user.resize(80, 1000);  // 20 more users with 1000 ratings each
  const Ratings ratings = make_ratings(per_user);
  const Dataset dataset = split(ratings, 5);
  const std::map<int32_t, int> validation = count_by_user(dataset.validation);
  const std::map<int32_t, int> test = count_by_user(dataset.test);

  double validation_total = 0.0;
  double test_total = 0.0;
  for (int32_t u = 0; u < 80; ++u) {
    const int v = validation.count(u) ? validation.at(u) : 0;
    const int t = test.count(u) ? test.at(u) : 0;
    // Binomial(n, 10/n) has standard deviation about 3.1; 30 is 6.4 sd away.
    EXPECT_LE(v, 30) << "user " << u;
    EXPECT_LE(t, 30) << "user " << u;
    validation_total += v;
    test_total += t;
  }
  // 80 users with mean 10: sd of the mean is about 0.35.
  EXPECT_NEAR(validation_total / 80, 10.0, 1.75);
  EXPECT_NEAR(test_total / 80, 10.0, 1.75);
}

TEST(SplitDataset, UsersNeverLoseAllTrainingRatings) {
  std::vector<int> per_user(1000, 1);
  per_user.resize(2000, 2);
  per_user.resize(2100, 3);
  const Ratings ratings = make_ratings(per_user);
  const Dataset dataset = split(ratings, 11);
  const std::map<int32_t, int> training = count_by_user(dataset.training);
  for (int32_t u = 0; u < 2100; ++u) {
    ASSERT_TRUE(training.count(u)) << "user " << u << " has no training rating";
  }
  // Users with one rating keep it in training.
  for (int32_t u = 0; u < 1000; ++u) EXPECT_EQ(training.at(u), 1) << "user " << u;

  // With two ratings both are held out with probability 0.04, so some of
  // the 1000 users needed the fallback, which returns the first rating.
  int restored = 0;
  for (int32_t u = 1000; u < 2000; ++u) {
    const bool first_out = split_draw(11, u, 0) < 0.2;
    const bool second_out = split_draw(11, u, 1) < 0.2;
    if (first_out && second_out) {
      ++restored;
      EXPECT_EQ(training.at(u), 1) << "user " << u;
    }
  }
  EXPECT_GT(restored, 10);
}

TEST(SplitDataset, DisjointAndComplete) {
  std::vector<int> per_user;
  for (int u = 0; u < 500; ++u) per_user.push_back(1 + u % 130);
  const Ratings ratings = shuffled(make_ratings(per_user), 8);
  const Dataset dataset = split(ratings, 123);

  std::multiset<Triple> together = triples(dataset.training);
  for (const Triple& t : triples(dataset.validation)) together.insert(t);
  for (const Triple& t : triples(dataset.test)) together.insert(t);
  EXPECT_EQ(together, triples(ratings));

  std::set<std::pair<int32_t, int32_t>> pairs;
  for (Split s : kExplicitSplits) {
    const Ratings& rows = dataset.split(s);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      EXPECT_TRUE(pairs.insert({rows.user[k], rows.item[k]}).second)
          << "pair (" << rows.user[k] << ", " << rows.item[k] << ") is in two splits";
    }
  }
}

TEST(SplitDataset, RowsOrderedByUserThenInputOrder) {
  Ratings ratings;
  ratings.push_back(2, 5, 1.0f);
  ratings.push_back(0, 9, 2.0f);
  ratings.push_back(2, 1, 3.0f);
  ratings.push_back(0, 3, 4.0f);
  ratings.push_back(1, 0, 5.0f);
  const Dataset dataset = split(ratings, 1);
  for (Split s : kExplicitSplits) {
    const Ratings& rows = dataset.split(s);
    for (std::size_t k = 1; k < rows.size(); ++k) {
      ASSERT_LE(rows.user[k - 1], rows.user[k]) << split_name(s);
    }
  }
  // Items of user 0 in training keep input order (9 before 3) when both stay.
  std::vector<int32_t> user0_items;
  for (std::size_t k = 0; k < dataset.training.size(); ++k) {
    if (dataset.training.user[k] == 0) user0_items.push_back(dataset.training.item[k]);
  }
  if (user0_items.size() == 2) {
    EXPECT_EQ(user0_items, (std::vector<int32_t>{9, 3}));
  }
}

TEST(SplitDataset, SameSeedSameSplitOtherSeedDiffers) {
  const Ratings ratings = make_ratings(std::vector<int>(300, 30));
  const Dataset first = split(ratings, 77);
  const Dataset second = split(ratings, 77);
  expect_identical(first, second);
  const Dataset other = split(ratings, 78);
  EXPECT_NE(first.validation.item, other.validation.item);
}

TEST(SplitDataset, ThreadCountDoesNotChangeTheSplit) {
  std::vector<int> per_user;
  for (int u = 0; u < 3000; ++u) per_user.push_back(1 + u % 150);
  const Ratings ratings = shuffled(make_ratings(per_user), 4);
  Ratings implicit = ratings;
  for (float& r : implicit.rating) r = 1.0f;

  std::vector<Dataset> results;
  for (std::size_t threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    results.push_back(split(ratings, 2024, implicit));
  }
  expect_identical(results[0], results[1]);
  expect_identical(results[0], results[2]);
}

TEST(SplitDataset, ImplicitTrainingExcludesHeldOutPairs) {
  std::vector<int> per_user(200, 12);
  const Ratings ratings = make_ratings(per_user);
  // The implicit list: every rated pair plus an unrated item per user.
  Ratings implicit;
  for (std::size_t k = 0; k < ratings.size(); ++k) implicit.push_back(ratings.user[k], ratings.item[k], 1.0f);
  for (int32_t u = 0; u < 200; ++u) implicit.push_back(u, 500, 1.0f);

  const Dataset dataset = split(ratings, 9, implicit);
  std::set<std::pair<int32_t, int32_t>> held_out;
  for (Split s : {Split::validation, Split::test}) {
    const Ratings& rows = dataset.split(s);
    for (std::size_t k = 0; k < rows.size(); ++k) held_out.insert({rows.user[k], rows.item[k]});
  }
  ASSERT_FALSE(held_out.empty());

  std::set<std::pair<int32_t, int32_t>> kept;
  for (std::size_t k = 0; k < dataset.implicit_training.size(); ++k) {
    kept.insert({dataset.implicit_training.user[k], dataset.implicit_training.item[k]});
    EXPECT_EQ(dataset.implicit_training.rating[k], 1.0f);
  }
  EXPECT_EQ(kept.size() + held_out.size(), implicit.size());
  for (const auto& pair : held_out) EXPECT_EQ(kept.count(pair), 0u);
  for (std::size_t k = 0; k < dataset.training.size(); ++k) {
    EXPECT_EQ(kept.count({dataset.training.user[k], dataset.training.item[k]}), 1u);
  }
  for (int32_t u = 0; u < 200; ++u) EXPECT_EQ(kept.count({u, 500}), 1u);
}

TEST(SplitDataset, EmptyRatingsGiveEmptySplits) {
  Ratings implicit;
  implicit.push_back(0, 0, 1.0f);
  const Dataset dataset = split(Ratings(), 1, implicit);
  EXPECT_TRUE(dataset.training.empty());
  EXPECT_TRUE(dataset.validation.empty());
  EXPECT_TRUE(dataset.test.empty());
  EXPECT_EQ(dataset.implicit_training.size(), 1u);
}

// Case 07: users with 1, 2, 3, 10 and 5 ratings.
TEST(SplitCase07, FewRatingUsersKeepTrainingRows) {
  ImportOptions options;
  options.ratings.file =
      std::filesystem::path(ALPHAS_TEST_DATA_DIR) / "cases" / "07-one-rating-users-split" / "ratings.csv";
  options.scale = {1, 5};
  for (uint64_t seed : {1ULL, 7ULL, 20220313ULL, 99991ULL}) {
    options.seed = seed;
    const ImportResult result = import_dataset(options);
    const Dataset& dataset = result.dataset;
    EXPECT_EQ(dataset.training.size() + dataset.validation.size() + dataset.test.size(), 21u)
        << "seed " << seed;

    std::set<std::pair<int32_t, int32_t>> pairs;
    for (Split s : kExplicitSplits) {
      const Ratings& rows = dataset.split(s);
      for (std::size_t k = 0; k < rows.size(); ++k) {
        EXPECT_TRUE(pairs.insert({rows.user[k], rows.item[k]}).second) << "seed " << seed;
      }
    }
    EXPECT_EQ(pairs.size(), 21u) << "seed " << seed;

    const std::map<int32_t, int> training = count_by_user(dataset.training);
    for (int32_t u = 0; u < dataset.n_users; ++u) {
      EXPECT_TRUE(training.count(u)) << dataset.user_ids[u] << " has no training rating, seed " << seed;
    }
    // s1's only rating (s1, k1, 4) is in training.
    ASSERT_EQ(dataset.user_ids[0], "s1");
    EXPECT_EQ(training.at(0), 1);

    const ImportResult again = import_dataset(options);
    expect_identical(dataset, again.dataset);
  }
}

}  // namespace
}  // namespace alphas
