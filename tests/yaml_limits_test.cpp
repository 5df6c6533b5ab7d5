// Tests of the YAML size limits: node and depth counts with aliases
// expanded, and the rejection of nested-alias bombs in recipe parameters
// and in dataset settings files.
#include <string>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "alphas/error.hpp"
#include "alphas/import_yaml.hpp"
#include "alphas/recipe.hpp"
#include "alphas/yaml_limits.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

YamlSizeLimits node_limit(std::size_t max_nodes) {
  YamlSizeLimits limits;
  limits.max_nodes = max_nodes;
  return limits;
}

YamlSizeLimits depth_limit(std::size_t max_depth) {
  YamlSizeLimits limits;
  limits.max_depth = max_depth;
  return limits;
}

// YAML lines that define anchors a0 ... a<levels>, each a list of ten
// aliases of the one before: a<k> expands to 10^(k + 1) scalars. Each line
// starts with `indent`, in a block list.
std::string alias_bomb(int levels, const std::string& indent) {
  std::string text = indent + "- &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int k = 1; k <= levels; ++k) {
    const std::string alias = "*a" + std::to_string(k - 1);
    std::string list;
    for (int copy = 0; copy < 10; ++copy) list += (copy == 0 ? "" : ", ") + alias;
    text += indent + "- &a" + std::to_string(k) + " [" + list + "]\n";
  }
  return text;
}

TEST(YamlSizeLimits, CountsListElements) {
  // A list of n scalars is n + 1 nodes.
  const YAML::Node three = YAML::Load("[1, 2, 3]");
  EXPECT_FALSE(find_yaml_size_excess(three, node_limit(4)));
  EXPECT_TRUE(find_yaml_size_excess(three, node_limit(3)));
}

TEST(YamlSizeLimits, CountsKeysAndValues) {
  // A map of two entries: the map, two keys and two values.
  const YAML::Node map = YAML::Load("{a: 1, b: 2}");
  EXPECT_FALSE(find_yaml_size_excess(map, node_limit(5)));
  EXPECT_TRUE(find_yaml_size_excess(map, node_limit(4)));
}

TEST(YamlSizeLimits, AliasCountsAsCopy) {
  // map + key a + [1, 2] (3 nodes) + key b + the alias, again 3 nodes.
  const YAML::Node map = YAML::Load("{a: &x [1, 2], b: *x}");
  EXPECT_FALSE(find_yaml_size_excess(map, node_limit(9)));
  const auto excess = find_yaml_size_excess(map, node_limit(8));
  ASSERT_TRUE(excess);
  EXPECT_EQ(*excess,
            "exceeds the limit of 8 YAML nodes once its aliases are expanded; an alias (*name) "
            "counts as a full copy of its anchor's value, so write the value without nested "
            "aliases");
}

TEST(YamlSizeLimits, NestingDepth) {
  // The scalar inside three lists is at depth 3.
  const YAML::Node nested = YAML::Load("[[[1]]]");
  EXPECT_FALSE(find_yaml_size_excess(nested, depth_limit(3)));
  const auto excess = find_yaml_size_excess(nested, depth_limit(2));
  ASSERT_TRUE(excess);
  EXPECT_EQ(*excess, "exceeds the limit of 2 levels of nested lists and maps; flatten the value");
}

TEST(YamlSizeLimits, DefaultsAcceptOrdinaryValues) {
  EXPECT_FALSE(find_yaml_size_excess(YAML::Load("{K: [10, 20, 40], lr: 0.01, name: x}")));
}

TEST(YamlSizeLimits, RecipeParamBombRejected) {
  // params.bomb expands to 10^9 scalars; converting it to JSON would take
  // at least 16 GB, 16 bytes per nlohmann::json value.
  const std::string text = "alphas:\n"
                           "  A:\n"
                           "    family: UserItemBiases\n"
                           "    params:\n"
                           "      bomb:\n" +
                           alias_bomb(8, "        ");
  std::string message;
  try {
    parse_recipe(text, "bomb.yaml", "/base");
  } catch (const InputError& error) {
    message = error.what();
  }
  EXPECT_TRUE(contains(message, "bomb.yaml:6: params.bomb of alpha 'A' exceeds the limit of "
                                "1000000 YAML nodes once its aliases are expanded"));
}

TEST(YamlSizeLimits, RecipeParamAliasesStillConvert) {
  const Recipe recipe = parse_recipe(
      "alphas:\n  A:\n    family: UserItemBiases\n    params: {a: &x [1, 2], b: *x}\n",
      "r.yaml", "/base");
  ASSERT_EQ(recipe.alphas.size(), 1u);
  EXPECT_EQ(recipe.alphas[0].params.at("a"), nlohmann::json::array({1, 2}));
  EXPECT_EQ(recipe.alphas[0].params.at("b"), nlohmann::json::array({1, 2}));
}

TEST(YamlSizeLimits, DatasetSettingsBombRejected) {
  testing::TempDir dir;
  const auto settings = dir / "dataset.yaml";
  testing::write_file(settings, "ratings:\n  file: r.csv\nscale: [1, 5]\nname:\n" +
                                    alias_bomb(8, "  "));
  std::string message;
  try {
    load_dataset_settings(settings);
  } catch (const InputError& error) {
    message = error.what();
  }
  EXPECT_TRUE(contains(message, settings.string() +
                                    ":1: the YAML of the dataset settings exceeds the limit of "
                                    "1000000 YAML nodes"));
}

}  // namespace
}  // namespace alphas
