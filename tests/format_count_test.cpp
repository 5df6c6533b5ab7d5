// Tests of format_count, the counted nouns of messages.
#include <gtest/gtest.h>

#include "alphas/format_count.hpp"

namespace alphas {
namespace {

TEST(FormatCount, SingularOnlyForOne) {
  EXPECT_EQ(format_count(1, "item"), "1 item");
  EXPECT_EQ(format_count(0, "item"), "0 items");
  EXPECT_EQ(format_count(2, "item"), "2 items");
  EXPECT_EQ(format_count(-1, "item"), "-1 items");
}

TEST(FormatCount, IrregularPlural) {
  EXPECT_EQ(format_count(1, "entry", "entries"), "1 entry");
  EXPECT_EQ(format_count(3, "entry", "entries"), "3 entries");
  EXPECT_EQ(format_count(1, "family", "families"), "1 family");
}

TEST(FormatCount, MultiWordNoun) {
  EXPECT_EQ(format_count(1, "invalid row"), "1 invalid row");
  EXPECT_EQ(format_count(4000000000LL, "YAML node"), "4000000000 YAML nodes");
}

}  // namespace
}  // namespace alphas
