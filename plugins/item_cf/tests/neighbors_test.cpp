// Tests of the cosine neighborhoods: a hand-computed example, tie-breaking,
// the K cap, thread independence and the zero-norm and K > catalog cases.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <tbb/global_control.h>

#include "alphas/sparse.hpp"
#include "case_reader.hpp"
#include "dense_reference.hpp"
#include "neighbors.hpp"

namespace alphas::item_cf {
namespace {

NeighborLists neighbors_of(const Ratings& training, int32_t n_users, int32_t n_items,
                           int32_t max_neighbors) {
  return compute_neighbors(group_by_user(training, n_users, n_items),
                           group_by_item(training, n_users, n_items), max_neighbors);
}

// The similarity of k in N(j), or 0 when k is not listed.
double listed_similarity(const NeighborLists& neighbors, int32_t k, int32_t j) {
  for (const Neighbor& neighbor : neighbors.of(j)) {
    if (neighbor.item == k) return neighbor.similarity;
  }
  return 0.0;
}

// Residuals of 4 users on 4 items (blank = not rated):
//        i0   i1   i2   i3
//   u0    1    1   -2
//   u1    2         1
//   u2        -1    2
//   u3    1
// Columns: i0 = (1, 2, 0, 1), i1 = (1, 0, -1, 0), i2 = (-2, 1, 2, 0), i3 = 0.
// Norms √6, √2, 3 and 1 (zero column). Dot products i0·i1 = 1,
// i0·i2 = -2 + 2 = 0, i1·i2 = -2 - 2 = -4, so
//   S01 = 1 / √12, S02 = 0, S12 = -4 / (3√2), and every S with i3 is 0.
Ratings hand_example() {
  Ratings r;
  r.push_back(0, 0, 1);
  r.push_back(0, 1, 1);
  r.push_back(0, 2, -2);
  r.push_back(1, 0, 2);
  r.push_back(1, 2, 1);
  r.push_back(2, 1, -1);
  r.push_back(2, 2, 2);
  r.push_back(3, 0, 1);
  return r;
}

TEST(ComputeNeighbors, HandExample) {
  const NeighborLists neighbors = neighbors_of(hand_example(), 4, 4, 2);
  const double s01 = 1.0 / std::sqrt(12.0);
  const double s12 = -4.0 / (3.0 * std::sqrt(2.0));
  EXPECT_EQ(neighbors.max_neighbors, 2);

  // i0: S02 = 0 and S03 = 0 leave one neighbor, fewer than K = 2.
  ASSERT_EQ(neighbors.of(0).size(), 1u);
  EXPECT_EQ(neighbors.of(0)[0].item, 1);
  EXPECT_NEAR(neighbors.of(0)[0].similarity, s01, 1e-6);

  // i1: the negative similarity comes first because |S12| > |S01|.
  ASSERT_EQ(neighbors.of(1).size(), 2u);
  EXPECT_EQ(neighbors.of(1)[0].item, 2);
  EXPECT_NEAR(neighbors.of(1)[0].similarity, s12, 1e-6);
  EXPECT_EQ(neighbors.of(1)[1].item, 0);
  EXPECT_NEAR(neighbors.of(1)[1].similarity, s01, 1e-6);

  ASSERT_EQ(neighbors.of(2).size(), 1u);
  EXPECT_EQ(neighbors.of(2)[0].item, 1);
  EXPECT_NEAR(neighbors.of(2)[0].similarity, s12, 1e-6);

  // i3 has no ratings: norm 1, all similarities 0, no neighbors.
  EXPECT_TRUE(neighbors.of(3).empty());
  EXPECT_FALSE(neighbors.has_ratings[3]);
  EXPECT_TRUE(neighbors.has_ratings[0]);
}

TEST(ComputeNeighbors, ListExcludesItemItself) {
  const NeighborLists neighbors = neighbors_of(hand_example(), 4, 4, 10);
  for (int32_t j = 0; j < 4; ++j) {
    for (const Neighbor& neighbor : neighbors.of(j)) {
      EXPECT_NE(neighbor.item, j) << "item " << j << " lists itself";
    }
  }
}

TEST(ComputeNeighbors, CapsKAtOtherItems) {
  const NeighborLists neighbors = neighbors_of(hand_example(), 4, 4, 4096);
  EXPECT_EQ(neighbors.max_neighbors, 3);
  EXPECT_EQ(neighbors.total(), 4);  // 1 + 2 + 1 + 0 nonzero similarities
}

TEST(SelectTopNeighbors, BreaksTiesByLowerItem) {
  std::vector<Neighbor> candidates = {{7, 0.5f}, {3, -0.5f}, {9, 0.9f}, {5, 0.5f}, {1, -0.1f}};
  select_top_neighbors(candidates, 3);
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].item, 9);
  EXPECT_EQ(candidates[1].item, 3);
  EXPECT_EQ(candidates[2].item, 5);
}

TEST(SelectTopNeighbors, KeepsAllWhenFewerThanK) {
  std::vector<Neighbor> candidates = {{2, 0.1f}, {4, -0.3f}};
  select_top_neighbors(candidates, 50);
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].item, 4);
  EXPECT_EQ(candidates[1].item, 2);

  std::vector<Neighbor> none;
  select_top_neighbors(none, 5);
  EXPECT_TRUE(none.empty());
}

// Random residuals on 40 users x 25 items, with item 24 a copy of item 23 and
// item 22 unrated, compared with the dense reference for several K.
Ratings random_residuals(int32_t n_users, int32_t n_items, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  Ratings r;
  for (int32_t u = 0; u < n_users; ++u) {
    for (int32_t j = 0; j < n_items - 3; ++j) {
      if (uniform(rng) < 0.3) r.push_back(u, j, float(normal(rng)));
    }
    if (uniform(rng) < 0.3) {
      const float value = float(normal(rng));
      r.push_back(u, n_items - 2, value);
      r.push_back(u, n_items - 1, value);
    }
  }
  return r;
}

TEST(ComputeNeighbors, MatchesDenseReference) {
  const int32_t n_users = 40, n_items = 25;
  const Ratings training = random_residuals(n_users, n_items, 3);
  const testing::DenseItemCf reference(training, n_users, n_items);
  for (int32_t k_max : {1, 3, 8, 100}) {
    const NeighborLists neighbors = neighbors_of(training, n_users, n_items, k_max);
    for (int32_t j = 0; j < n_items; ++j) {
      const std::vector<int32_t> expected = reference.neighbors(j, k_max);
      ASSERT_EQ(neighbors.of(j).size(), expected.size()) << "K " << k_max << ", item " << j;
      for (std::size_t n = 0; n < expected.size(); ++n) {
        EXPECT_EQ(neighbors.of(j)[n].item, expected[n]) << "K " << k_max << ", item " << j;
        EXPECT_NEAR(neighbors.of(j)[n].similarity, reference.similarity(expected[n], j), 1e-6);
      }
    }
  }
}

TEST(ComputeNeighbors, SameListsWithOneAndTwoThreads) {
  const Ratings training = random_residuals(300, 120, 8);
  NeighborLists one_thread, two_threads;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one_thread = neighbors_of(training, 300, 120, 10);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two_threads = neighbors_of(training, 300, 120, 10);
  }
  ASSERT_EQ(one_thread.n_items(), two_threads.n_items());
  for (int32_t j = 0; j < one_thread.n_items(); ++j) {
    const auto& expected = one_thread.of(j);
    const auto& actual = two_threads.of(j);
    ASSERT_EQ(expected.size(), actual.size()) << "item " << j;
    for (std::size_t n = 0; n < expected.size(); ++n) {
      EXPECT_EQ(expected[n].item, actual[n].item);
      EXPECT_EQ(expected[n].similarity, actual[n].similarity);
    }
  }
}

// The case in tests/data/cases/09-cosine-zero-norm: item i4 is only on the
// implicit list, so its rating column is zero. The case's table gives the
// cosines of i1..i3 to 1e-6, and every similarity with i4 is 0, never NaN.
TEST(ComputeNeighbors, ZeroNormColumnCase) {
  testing::CaseIds ids;
  const Ratings training =
      testing::read_case_table(testing::case_file("09-cosine-zero-norm", "ratings.csv"), ids);
  testing::read_case_table(testing::case_file("09-cosine-zero-norm", "implicit.csv"), ids);
  ASSERT_EQ(ids.items.size(), 4u);
  const int32_t i1 = ids.items.at("i1"), i2 = ids.items.at("i2"), i3 = ids.items.at("i3"),
                i4 = ids.items.at("i4");
  const NeighborLists neighbors =
      neighbors_of(training, int32_t(ids.users.size()), int32_t(ids.items.size()), 10);

  EXPECT_NEAR(listed_similarity(neighbors, i1, i2), 0.949474, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, i1, i3), 0.232006, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, i2, i3), 0.473432, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, i3, i2), 0.473432, 1e-6);
  for (int32_t j : {i1, i2, i3}) {
    EXPECT_EQ(listed_similarity(neighbors, i4, j), 0.0) << "item " << j;
  }
  EXPECT_TRUE(neighbors.of(i4).empty());
  for (const auto& list : neighbors.lists) {
    for (const Neighbor& neighbor : list) EXPECT_TRUE(std::isfinite(neighbor.similarity));
  }
}

// The case in tests/data/cases/10-topk-exceeds-catalog: 5 items and K = 50,
// so K is capped at 4 and no list is longer. Cosines come from the case's
// table (1e-6), and every list is checked against the dense reference.
TEST(ComputeNeighbors, KLargerThanCatalogCase) {
  testing::CaseIds ids;
  const Ratings training =
      testing::read_case_table(testing::case_file("10-topk-exceeds-catalog", "ratings.csv"), ids);
  const int32_t n_users = int32_t(ids.users.size()), n_items = int32_t(ids.items.size());
  ASSERT_EQ(n_items, 5);
  const NeighborLists neighbors = neighbors_of(training, n_users, n_items, 50);
  EXPECT_EQ(neighbors.max_neighbors, 4);

  auto item = [&](const char* raw) { return ids.items.at(raw); };
  EXPECT_NEAR(listed_similarity(neighbors, item("i1"), item("i3")), 1.0, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, item("i2"), item("i3")), 0.487805, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, item("i1"), item("i4")), 0.186248, 1e-6);
  EXPECT_NEAR(listed_similarity(neighbors, item("i2"), item("i4")), 0.465620, 1e-6);
  EXPECT_EQ(listed_similarity(neighbors, item("i1"), item("i5")), 0.0);
  EXPECT_NEAR(listed_similarity(neighbors, item("i2"), item("i5")), 0.153141, 1e-6);

  const testing::DenseItemCf reference(training, n_users, n_items);
  for (int32_t j = 0; j < n_items; ++j) {
    EXPECT_LE(neighbors.of(j).size(), 4u);
    const std::vector<int32_t> expected = reference.neighbors(j, 50);
    ASSERT_EQ(neighbors.of(j).size(), expected.size()) << "item " << j;
    for (std::size_t n = 0; n < expected.size(); ++n) {
      EXPECT_EQ(neighbors.of(j)[n].item, expected[n]);
      EXPECT_NE(neighbors.of(j)[n].item, j);
    }
  }
}

}  // namespace
}  // namespace alphas::item_cf
