#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <random>

#include "alphas/sparse.hpp"

namespace alphas {
namespace {

Ratings small_table() {
  Ratings r;
  r.push_back(1, 2, 5.0f);
  r.push_back(0, 1, 3.0f);
  r.push_back(1, 0, 4.0f);
  r.push_back(0, 3, 1.0f);
  r.push_back(2, 1, 2.0f);
  return r;
}

TEST(Sparse, GroupByUserSortsRowsByColumn) {
  CsrMatrix m = group_by_user(small_table(), 4, 4);
  ASSERT_EQ(m.offsets, (std::vector<int64_t>{0, 2, 4, 5, 5}));
  EXPECT_EQ(m.cols, (std::vector<int32_t>{1, 3, 0, 2, 1}));
  EXPECT_EQ(m.values, (std::vector<float>{3, 1, 4, 5, 2}));
  EXPECT_EQ(m.row_size(3), 0);
}

TEST(Sparse, GroupByItemIsTranspose) {
  CsrMatrix m = group_by_item(small_table(), 4, 4);
  ASSERT_EQ(m.offsets, (std::vector<int64_t>{0, 1, 3, 4, 5}));
  EXPECT_EQ(m.cols, (std::vector<int32_t>{1, 0, 2, 1, 0}));
  EXPECT_EQ(m.values, (std::vector<float>{4, 3, 2, 5, 1}));
}

TEST(Sparse, RowSumsAndCounts) {
  CsrMatrix m = group_by_user(small_table(), 4, 4);
  EXPECT_EQ(row_sums(m), (std::vector<double>{4, 9, 2, 0}));
  EXPECT_EQ(row_counts(m), (std::vector<int32_t>{2, 2, 1, 0}));
}

TEST(Sparse, SameResultForOneAndTwoThreads) {
  std::mt19937 rng(3);
  Ratings r;
  for (int k = 0; k < 20000; ++k) {
    r.push_back(int32_t(rng() % 300), int32_t(rng() % 500), float(rng() % 10));
  }
  CsrMatrix one, two;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    one = group_by_item(r, 300, 500);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    two = group_by_item(r, 300, 500);
  }
  EXPECT_EQ(one.offsets, two.offsets);
  EXPECT_EQ(one.cols, two.cols);
  EXPECT_EQ(one.values, two.values);
}

TEST(Sparse, OutOfRangeIdThrows) {
  Ratings r;
  r.push_back(5, 0, 1.0f);
  EXPECT_ANY_THROW(group_by_user(r, 3, 3));
}

}  // namespace
}  // namespace alphas
