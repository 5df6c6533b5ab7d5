// Tests of recipe parsing, validation and the dependency graph.
#include <algorithm>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alphas/error.hpp"
#include "alphas/recipe.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kFamilies = {"UserItemBiases", "MatrixFactorization", "ItemCF",
                                            "GNN", "GNN.Resid"};

::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

Recipe parse(const std::string& text) { return parse_recipe(text, "r.yaml", "/base"); }

Recipe validated(const std::string& text) {
  Recipe recipe = parse(text);
  validate_recipe(recipe, kFamilies);
  return recipe;
}

// The InputError message of parsing and validating `text`; fails the test
// when there is none.
std::string error_of(const std::string& text) {
  try {
    validated(text);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return "";
}

std::string error_of_file(const fs::path& file) {
  try {
    Recipe recipe = read_recipe(file);
    validate_recipe(recipe, kFamilies);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << file;
  return "";
}

std::vector<std::string> names(const Recipe& recipe) {
  std::vector<std::string> result;
  for (const auto& alpha : recipe.alphas) result.push_back(alpha.name);
  return result;
}

using Names = std::vector<std::string>;

// --- Parsing -------------------------------------------------------------

TEST(Recipe, ParsesAlphaFields) {
  Recipe recipe = validated(R"(dataset: {bundled: anime-mal-5k}
alphas:
  UserItemBiases:
    family: UserItemBiases
  MF:
    family: MatrixFactorization
    inputs: [UserItemBiases]
    params: {K: 3, lambda: 0.5, tune: false, label: "10", mode: fast, list: [1, 2], none: ~}
    seed: 42
)");
  ASSERT_EQ(recipe.alphas.size(), 2u);
  ASSERT_TRUE(recipe.dataset.bundled.has_value());
  EXPECT_EQ(*recipe.dataset.bundled, "anime-mal-5k");
  const RecipeAlpha& biases = recipe.alphas[0];
  EXPECT_EQ(biases.family, "UserItemBiases");
  EXPECT_EQ(biases.seed, 1u);
  EXPECT_TRUE(biases.inputs.empty());
  EXPECT_EQ(biases.line, 3);

  const RecipeAlpha& mf = recipe.alphas[1];
  EXPECT_EQ(mf.inputs, Names{"UserItemBiases"});
  EXPECT_TRUE(mf.targets.empty());
  EXPECT_EQ(mf.seed, 42u);
  EXPECT_EQ(mf.params["K"], 3);
  EXPECT_TRUE(mf.params["K"].is_number_integer());
  EXPECT_DOUBLE_EQ(mf.params["lambda"].get<double>(), 0.5);
  EXPECT_EQ(mf.params["tune"], false);
  EXPECT_EQ(mf.params["label"], "10");  // quoted: stays a string
  EXPECT_EQ(mf.params["mode"], "fast");
  EXPECT_EQ(mf.params["list"], nlohmann::json::array({1, 2}));
  EXPECT_TRUE(mf.params["none"].is_null());
}

TEST(Recipe, PlainScalarsFollowYamlCoreSchema) {
  const nlohmann::json params = validated(R"(alphas:
  a:
    family: GNN
    params: {i: 12, n: -3, h: 0x1f, e: 1e-3, d: .5, t: True, z: null, v: 1.2.3, y: yes}
)").alphas[0].params;
  EXPECT_EQ(params["i"], nlohmann::json(12));
  EXPECT_EQ(params["n"], nlohmann::json(-3));
  EXPECT_EQ(params["h"], nlohmann::json(31));
  EXPECT_EQ(params["e"], nlohmann::json(0.001));
  EXPECT_EQ(params["d"], nlohmann::json(0.5));
  EXPECT_EQ(params["t"], nlohmann::json(true));
  EXPECT_TRUE(params["z"].is_null());
  EXPECT_EQ(params["v"], nlohmann::json("1.2.3"));
  EXPECT_EQ(params["y"], nlohmann::json("yes"));  // YAML 1.1 read it as true; 1.2 does not
}

TEST(Recipe, BaseDirDefaultsAndResolves) {
  EXPECT_EQ(parse("alphas: {a: {family: GNN}}").base_dir, fs::path("/base"));
  EXPECT_EQ(parse("base_dir: data\nalphas: {a: {family: GNN}}").base_dir, fs::path("/base/data"));
  EXPECT_EQ(parse("base_dir: /abs/x\nalphas: {a: {family: GNN}}").base_dir, fs::path("/abs/x"));
}

TEST(Recipe, ReadsStackerSettings) {
  Recipe recipe = validated(R"(alphas:
  a: {family: GNN}
ensembles:
  E:
    alphas: [a]
    stacker: {max_rounds: 7, early_stopping_rounds: 3, learning_rate: 0.3, max_depth: 2,
              min_child_weight: 5, subsample: 0.5, colsample: 0.75, lambda: 2, holdout: 0.2,
              seed: 9}
  F:
    alphas: [a]
    stacker: false
)");
  ASSERT_EQ(recipe.ensembles.size(), 2u);
  const StackerSettings& s = recipe.ensembles[0].stacker;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.max_rounds, 7);
  EXPECT_EQ(s.early_stopping_rounds, 3);
  EXPECT_DOUBLE_EQ(s.learning_rate, 0.3);
  EXPECT_EQ(s.max_depth, 2);
  EXPECT_DOUBLE_EQ(s.min_child_weight, 5);
  EXPECT_DOUBLE_EQ(s.subsample, 0.5);
  EXPECT_DOUBLE_EQ(s.colsample, 0.75);
  EXPECT_DOUBLE_EQ(s.lambda, 2);
  EXPECT_DOUBLE_EQ(s.holdout, 0.2);
  EXPECT_EQ(s.seed, 9u);
  EXPECT_FALSE(recipe.ensembles[1].stacker.enabled);
  EXPECT_EQ(recipe.ensembles[1].members, Names{"a"});
}

TEST(Recipe, RecordsTheLineOfEachParameter) {
  Recipe recipe = validated(R"(alphas:
  ItemCF.{K}:
    family: ItemCF
    params:
      K: [16, 64]
      lambda1: 0.5
  Plain: {family: ItemCF, params: {K: 4}}
)");
  ASSERT_EQ(recipe.alphas.size(), 3u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(recipe.alphas[k].param_lines, (std::map<std::string, int>{{"K", 5}, {"lambda1", 6}}))
        << recipe.alphas[k].name;
  }
  EXPECT_EQ(recipe.alphas[2].param_lines, (std::map<std::string, int>{{"K", 7}}));
}

// --- Expansion -----------------------------------------------------------

TEST(RecipeExpansion, ListParameterNamesEachAlpha) {
  Recipe recipe = validated(R"(alphas:
  MatrixFactorization.{K}:
    family: MatrixFactorization
    params: {K: [10, 20, 40], layers: [1, 2]}
)");
  EXPECT_EQ(names(recipe),
            (Names{"MatrixFactorization.10", "MatrixFactorization.20", "MatrixFactorization.40"}));
  EXPECT_EQ(recipe.alphas[1].params["K"], 20);
  // A list parameter that names nothing stays a list.
  EXPECT_EQ(recipe.alphas[1].params["layers"], nlohmann::json::array({1, 2}));
  for (const auto& alpha : recipe.alphas) EXPECT_EQ(alpha.line, 2);
}

TEST(RecipeExpansion, HugeExpansionIsRejected) {
  // 100^3 = one million alphas from three short lists.
  std::string values = "[";
  for (int k = 0; k < 100; ++k) values += (k ? ", " : "") + std::to_string(k);
  values += "]";
  const std::string error = error_of("alphas:\n  X.{a}.{b}.{c}:\n    family: GNN\n    params: {a: " +
                                     values + ", b: " + values + ", c: " + values + "}\n");
  EXPECT_NE(error.find(":2: alpha 'X.{a}.{b}.{c}' expands into more than 10000 alphas"),
            std::string::npos)
      << error;
}

TEST(RecipeExpansion, TwoPlaceholdersFirstVariesSlowest) {
  Recipe recipe = validated(R"(alphas:
  X.{a}.{seed}:
    family: GNN
    params: {a: [p, q]}
    seed: [1, 2]
)");
  EXPECT_EQ(names(recipe), (Names{"X.p.1", "X.p.2", "X.q.1", "X.q.2"}));
  EXPECT_EQ(recipe.alphas[2].params["a"], "q");
  EXPECT_EQ(recipe.alphas[2].seed, 1u);
  EXPECT_EQ(recipe.alphas[3].seed, 2u);
  EXPECT_FALSE(recipe.alphas[3].params.contains("seed"));
}

TEST(RecipeExpansion, ScalarPlaceholderNamesOneAlpha) {
  Recipe recipe = validated("alphas:\n  GNN.{seed}:\n    family: GNN\n    seed: 3\n");
  EXPECT_EQ(names(recipe), Names{"GNN.3"});
  EXPECT_EQ(recipe.alphas[0].seed, 3u);
}

TEST(RecipeExpansion, SeedListWithoutPlaceholderIsRejected) {
  EXPECT_TRUE(contains(error_of("alphas:\n  G:\n    family: GNN\n    seed: [1, 2]\n"),
                       "r.yaml:4: seed of alpha 'G' is a list, but the name has no {seed}"));
}

TEST(RecipeExpansion, UnknownPlaceholderIsRejected) {
  const std::string message = error_of("alphas:\n  MF.{k}:\n    family: GNN\n    params: {K: [1]}\n");
  EXPECT_TRUE(contains(message, "r.yaml:2: alpha 'MF.{k}' uses placeholder {k}, but it has no "
                                "parameter 'k'; did you mean 'K'?"));
}

TEST(RecipeExpansion, EmptyListIsRejected) {
  EXPECT_TRUE(contains(error_of("alphas:\n  MF.{K}:\n    family: GNN\n    params: {K: []}\n"),
                       "r.yaml:4: params.K of alpha 'MF.{K}' names the alpha, so it must be a "
                       "value or a non-empty list"));
}

TEST(RecipeExpansion, DuplicateExpandedNameIsRejected) {
  const std::string message = error_of(R"(alphas:
  MF.{K}:
    family: GNN
    params: {K: [10, 20]}
  MF.20:
    family: GNN
)");
  EXPECT_TRUE(contains(message, "r.yaml:5: alpha 'MF.20' is defined twice (lines 2 and 5)"));
}

TEST(RecipeExpansion, InvalidNamesAreRejected) {
  EXPECT_TRUE(contains(error_of("alphas:\n  MF.{K:\n    family: GNN\n"),
                       "alpha name 'MF.{K' has a '{' without a matching '}'"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a/b:\n    family: GNN\n"),
                       "r.yaml:2: alpha name 'a/b' is not valid"));
  EXPECT_TRUE(contains(error_of("alphas:\n  X.{p}:\n    family: GNN\n    params: {p: \"a b\"}\n"),
                       "alpha name 'X.a b' (from 'X.{p}') is not valid"));
}

// A name becomes a folder name, which Linux limits to 255 bytes with the
// suffixes the runner adds, so names stop at 200 characters.
TEST(RecipeExpansion, OverlongNamesAreRejected) {
  const std::string longest(200, 'a');
  const std::string too_long(201, 'a');
  EXPECT_NO_THROW(validated("alphas:\n  " + longest + ":\n    family: GNN\n"));
  EXPECT_TRUE(contains(error_of("alphas:\n  " + too_long + ":\n    family: GNN\n"),
                       "r.yaml:2: alpha name '" + too_long + "' is not valid: use 200 or fewer"));
  EXPECT_TRUE(contains(error_of("alphas:\n  A:\n    family: GNN\nensembles:\n  " + too_long +
                                ":\n    alphas: [A]\n"),
                       "r.yaml:5: ensemble name '" + too_long + "' is not valid: use 200 or fewer"));
}

// --- Keys and types ------------------------------------------------------

TEST(RecipeValidation, UnknownKeysNameLineAndKey) {
  EXPECT_TRUE(contains(error_of("alphas:\n  a: {family: GNN}\nensemble:\n  E: {alphas: [a]}\n"),
                       "r.yaml:3: unknown key 'ensemble' in the recipe; did you mean "
                       "'ensembles'? (valid keys: "));
  EXPECT_TRUE(contains(error_of("alphas:\n  mf:\n    family: GNN\n    residual_of: a\n"),
                       "r.yaml:4: unknown key 'residual_of' in alpha 'mf' (valid keys: family, "
                       "inputs, targets, params, seed)"));
  EXPECT_TRUE(contains(
      error_of("alphas:\n  a: {family: GNN}\nensembles:\n  E:\n    alphas: [a]\n    stacker: {depth: 3}\n"),
      "r.yaml:6: unknown key 'depth' in the stacker of ensemble 'E'"));
}

TEST(RecipeValidation, WrongTypesNameLineAndValue) {
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    seed: abc\n"),
                       "r.yaml:4: key 'seed' of alpha 'a' must be an integer from 0 to"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: [GNN]\n"),
                       "r.yaml:3: key 'family' of alpha 'a' must be a non-empty string, got a list"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    inputs: {x: 1}\n"),
                       "r.yaml:4: key 'inputs' of alpha 'a' must be a list of alpha names, got a map"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    params: [1]\n"),
                       "r.yaml:4: params of alpha 'a' must be a map"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    params: {x: .nan}\n"),
                       "r.yaml:4: params.x of alpha 'a' is '.nan', which is not a finite number"));
  EXPECT_TRUE(contains(
      error_of("alphas:\n  a: {family: GNN}\nensembles:\n  E:\n    alphas: [a]\n    stacker: {max_depth: 0}\n"),
      "r.yaml:6: key 'max_depth' of the stacker of ensemble 'E' must be an integer from 1 to 20, got '0'"));
  EXPECT_TRUE(contains(
      error_of("alphas:\n  a: {family: GNN}\nensembles:\n  E:\n    alphas: [a]\n    stacker: {learning_rate: 2}\n"),
      "key 'learning_rate' of the stacker of ensemble 'E' must be a number in (0, 1], got '2'"));
  EXPECT_TRUE(contains(error_of("alphas: [a, b]\n"), "r.yaml:1: alphas must be a map"));
  EXPECT_TRUE(contains(error_of("dataset: anime\nalphas:\n  a: {family: GNN}\n"),
                       "r.yaml:1: key 'dataset' must be a map"));
}

TEST(RecipeValidation, ReportsEveryProblemAtOnce) {
  const std::string message = error_of("alphas:\n  a:\n    family: GNN\n    sed: 1\n  b:\n    famly: GNN\n");
  EXPECT_TRUE(contains(message, "r.yaml: 3 problems:"));
  EXPECT_TRUE(contains(message, "r.yaml:4: unknown key 'sed' in alpha 'a'; did you mean 'seed'?"));
  EXPECT_TRUE(contains(message, "r.yaml:6: unknown key 'famly' in alpha 'b'"));
  EXPECT_TRUE(contains(message, "r.yaml:5: alpha 'b' has no 'family'"));
}

TEST(RecipeValidation, StructuralErrors) {
  EXPECT_TRUE(contains(error_of(""), "r.yaml: the recipe is empty"));
  EXPECT_TRUE(contains(error_of("alphas: {a: {family: GNN}\n"), "r.yaml:"));  // bad YAML
  EXPECT_TRUE(contains(error_of("dataset: {bundled: x}\n"), "the recipe has no 'alphas' map"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a: {family: GNN}\n  a: {family: GNN}\n"),
                       "r.yaml:3: key 'a' appears twice in alphas"));
  EXPECT_TRUE(contains(error_of("dataset: {bundled: x, seed: 3}\nalphas: {a: {family: GNN}}\n"),
                       "key 'seed' cannot be combined with 'bundled'"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a: {family: GNN}\nensembles:\n  a: {alphas: [a]}\n"),
                       "r.yaml:4: ensemble 'a' has the name of the alpha defined on line 2"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a: {family: GNN}\nensembles:\n  E: {alphas: []}\n"),
                       "ensemble 'E' blends no alpha"));
}

TEST(RecipeValidation, UnknownFamilyNamesLineAndAlternatives) {
  const std::string message = error_of("alphas:\n  cf:\n    family: ItemCf\n");
  EXPECT_TRUE(contains(message, "r.yaml:3: alpha 'cf' has family 'ItemCf', which no plugin "
                                "provides; did you mean 'ItemCF'? (available: UserItemBiases, "));
}

TEST(RecipeValidation, UnknownFamilyWithoutPlugins) {
  Recipe recipe = parse("alphas:\n  cf:\n    family: ItemCF\n");
  try {
    validate_recipe(recipe, {});
    ADD_FAILURE() << "no error without plugins";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "(available: none: no plugin was found)"));
  }
}

// --- References ----------------------------------------------------------

TEST(RecipeReferences, SelfReferenceGetsItsOwnMessage) {
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    inputs: [a]\n"),
                       "r.yaml:4: alpha 'a' cannot be a residual of itself: remove 'a' from its inputs"));
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    targets: [a]\n"),
                       "r.yaml:4: alpha 'a' cannot be trained on the residual of its own output"));
  EXPECT_TRUE(contains(error_of("alphas:\n  G.{K}:\n    family: GNN\n    params: {K: [1, 2]}\n"
                                "    inputs: [\"G.*\"]\n"),
                       "r.yaml:5: pattern 'G.*' in the inputs of alpha 'G.1' matches the alpha itself"));
}

TEST(RecipeReferences, UndefinedNameListsDefinedOnes) {
  const std::string message = error_of("alphas:\n  bias: {family: GNN}\n  mf:\n    family: GNN\n"
                                       "    inputs: [bais]\n");
  EXPECT_TRUE(contains(message, "r.yaml:5: alpha 'mf' has input 'bais', which is not defined "
                                "(defined: bias, mf); did you mean 'bias'?"));
}

TEST(RecipeReferences, PatternMatchingNothingIsRejected) {
  EXPECT_TRUE(contains(error_of("alphas:\n  a:\n    family: GNN\n    targets: [\"X.*\"]\n"),
                       "r.yaml:4: pattern 'X.*' in the targets of alpha 'a' matches no alpha"));
}

TEST(RecipeReferences, EnsemblesAreNotAlphas) {
  const std::string head = "alphas:\n  a: {family: GNN}\n";
  EXPECT_TRUE(contains(error_of(head + "  b:\n    family: GNN\n    inputs: [E]\nensembles:\n  E: {alphas: [a]}\n"),
                       "r.yaml:5: alpha 'b' lists 'E' in its inputs, but 'E' is an ensemble"));
  EXPECT_TRUE(contains(error_of(head + "ensembles:\n  E: {alphas: [a]}\n  F: {alphas: [a, E]}\n"),
                       "r.yaml:5: ensemble 'F' lists 'E', which is an ensemble; list its alphas instead"));
  EXPECT_TRUE(contains(error_of(head + "ensembles:\n  E: {alphas: [a, x]}\n"),
                       "r.yaml:4: ensemble 'E' lists 'x', which is not defined (defined: a)"));
}

TEST(RecipeReferences, DuplicatesCollapseInOrder) {
  Recipe recipe = validated(R"(alphas:
  a: {family: GNN}
  M.{K}: {family: GNN, params: {K: [1, 2]}}
  z:
    family: GNN
    inputs: [M.2, "M.*", a, a]
ensembles:
  E: {alphas: ["**"]}
)");
  EXPECT_EQ(recipe.find_alpha("z")->inputs, (Names{"M.2", "M.1", "a"}));
  EXPECT_EQ(recipe.ensembles[0].members, (Names{"a", "M.1", "M.2", "z"}));
}

TEST(RecipePatterns, MatchOneOrManyParts) {
  struct Case {
    std::string pattern, name;
    bool match;
  };
  const std::vector<Case> cases = {
      {"ItemCF.*", "ItemCF.16", true},
      {"ItemCF.*", "ItemCF.Resid.GNN.1.256", false},
      {"ItemCF.*", "ItemCF", false},
      {"ItemCF.Resid.*.1.256", "ItemCF.Resid.MF.1.256", true},
      {"ItemCF.Resid.*.1.256", "ItemCF.Resid.MF.2.256", false},
      {"ItemCF.**", "ItemCF.Resid.GNN.1.256", true},
      {"ItemCF.**", "ItemCF", true},
      {"**", "anything.at.all", true},
      {"**.256", "ItemCF.256", true},
      {"**.256", "ItemCF.Resid.X.1.256", true},
      {"**.256", "ItemCF.2560", false},
      {"Item*.16", "ItemCF.16", true},
      {"Item*.16", "MF.16", false},
      {"*CF*", "ItemCF", true},
      {"GNN.*", "GNN.Resid.1", false},
      {"GNN.*.*", "GNN.Resid.1", true},
      {"a.b", "a.b", true},
      {"a.b", "a.bc", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(pattern_matches(c.pattern, c.name), c.match) << c.pattern << " vs " << c.name;
  }
}

// --- Cycles --------------------------------------------------------------

TEST(RecipeCycles, ThreeCyclePrintsWholeCycleWithLines) {
  const std::string message = error_of(R"(alphas:
  bias:
    family: UserItemBiases
    inputs: [itemcf]
  mf:
    family: MatrixFactorization
    inputs: [bias]
  itemcf:
    family: ItemCF
    inputs: [mf]
)");
  EXPECT_TRUE(contains(message, "r.yaml: dependency cycle: bias (line 4) -> itemcf (line 10) -> "
                                "mf (line 7) -> bias"));
}

// Writes the three alphas of a cycle in the given order and returns the
// text; `lines` receives, per alpha, the line of its `inputs:`.
std::string cycle_recipe(const std::vector<int>& order, std::map<std::string, int>& lines) {
  const std::vector<std::pair<std::string, std::string>> alphas = {
      {"bias", "itemcf"}, {"mf", "bias"}, {"itemcf", "mf"}};
  std::string text = "alphas:\n";
  int line = 2;
  for (int k : order) {
    text += "  " + alphas[k].first + ":\n    family: GNN\n    inputs: [" + alphas[k].second + "]\n";
    lines[alphas[k].first] = line + 2;
    line += 3;
  }
  return text;
}

TEST(RecipeCycles, ListingOrderDoesNotChangeTheCycle) {
  std::vector<int> order = {0, 1, 2};
  do {
    std::map<std::string, int> lines;
    const std::string text = cycle_recipe(order, lines);
    const std::string expected = "dependency cycle: bias (line " + std::to_string(lines["bias"]) +
                                 ") -> itemcf (line " + std::to_string(lines["itemcf"]) +
                                 ") -> mf (line " + std::to_string(lines["mf"]) + ") -> bias";
    EXPECT_TRUE(contains(error_of(text), expected)) << text;
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(RecipeCycles, FoundThroughTargetsAndPatterns) {
  const std::string message = error_of(R"(alphas:
  base: {family: GNN}
  M.{K}:
    family: GNN
    inputs: [base, late]
    params: {K: [1, 2]}
  late:
    family: GNN.Resid
    inputs: [base]
    targets: ["M.*"]
)");
  EXPECT_TRUE(contains(message, "dependency cycle: M.1 (line 5) -> late (line 10) -> M.1"));
}

TEST(RecipeCycles, CycleBehindAcyclicPartIsFound) {
  const std::string message = error_of(R"(alphas:
  a: {family: GNN, inputs: [b]}
  b: {family: GNN, inputs: [c]}
  c: {family: GNN, inputs: [d]}
  d: {family: GNN, inputs: [e]}
  e: {family: GNN, inputs: [c]}
)");
  EXPECT_TRUE(contains(message, "dependency cycle: c (line 4) -> d (line 5) -> e (line 6) -> c"));
}

TEST(RecipeCycles, LongChainNeedsNoRecursion) {
  // 20,000 alphas in one chain closed into a cycle: a recursive search
  // would need 20,000 stack frames.
  const int n = 20000;
  std::ostringstream text;
  text << "alphas:\n";
  for (int k = 0; k < n; ++k) {
    text << "  a" << k << ": {family: GNN, inputs: [a" << (k + 1) % n << "]}\n";
  }
  const std::string message = error_of(text.str());
  // Too long to print whole: the first and last 50 with the count between.
  EXPECT_TRUE(contains(message, "dependency cycle: a0 (line 2) -> a1 (line 3) -> a2 (line 4)"));
  EXPECT_TRUE(contains(message, "a49 (line 51) -> ... (19900 more) -> a19950 (line 19952) -> "));
  EXPECT_TRUE(contains(message, "a19999 (line 20001) -> a0; "));

  // The same chain without the closing edge is valid, ordered from the end.
  std::ostringstream open;
  open << "alphas:\n";
  for (int k = 0; k < n; ++k) {
    open << "  a" << k << ": {family: GNN" << (k + 1 < n ? ", inputs: [a" + std::to_string(k + 1) + "]" : "")
         << "}\n";
  }
  Recipe recipe = validated(open.str());
  const auto order = dependency_order(recipe, {"a0"});
  ASSERT_EQ(order.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(order.front(), "a" + std::to_string(n - 1));
  EXPECT_EQ(order.back(), "a0");
}

// --- Order ---------------------------------------------------------------

const char* kDiamond = R"(alphas:
  top:
    family: GNN
    inputs: [left, right]
  right:
    family: GNN
    inputs: [base]
  left:
    family: GNN
    inputs: [base]
  base:
    family: UserItemBiases
  other:
    family: GNN
ensembles:
  E: {alphas: [top, other]}
)";

TEST(RecipeOrder, DependenciesFirstThenDefinitionOrder) {
  Recipe recipe = validated(kDiamond);
  // right is defined before left, so among the two ready ones it goes first.
  EXPECT_EQ(dependency_order(recipe, {"top"}), (Names{"base", "right", "left", "top"}));
  EXPECT_EQ(dependency_order(recipe, {"left"}), (Names{"base", "left"}));
  // other (defined last) is ready from the start but waits for the earlier ones.
  EXPECT_EQ(dependency_order(recipe, {"E"}), (Names{"base", "right", "left", "top", "other", "E"}));
  EXPECT_EQ(dependency_order(recipe, {"other", "left", "other"}), (Names{"base", "left", "other"}));
}

TEST(RecipeOrder, DependentsAreTransitive) {
  Recipe recipe = validated(kDiamond);
  EXPECT_EQ(dependents_of(recipe, "base"), (Names{"top", "right", "left"}));
  EXPECT_EQ(dependents_of(recipe, "left"), Names{"top"});
  EXPECT_TRUE(dependents_of(recipe, "other").empty());
}

TEST(RecipeOrder, EveryDependencyComesFirst) {
  Recipe recipe = validated(kDiamond);
  const auto order = dependency_order(recipe, {"E"});
  auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  for (const auto& alpha : recipe.alphas) {
    for (const auto& input : alpha.inputs) {
      EXPECT_LT(position(input), position(alpha.name)) << input << " before " << alpha.name;
    }
  }
}

// --- Case 17: the translated recipes ---------------------------------------

fs::path case17(const std::string& file) {
  return fs::path(ALPHAS_TEST_DATA_DIR) / "cases" / "17-recipe-dependency-cycle" / file;
}

TEST(RecipeCase17, ValidChainOrdersBiasMfItemcf) {
  Recipe recipe = read_recipe(case17("recipe-valid-chain.yaml"));
  validate_recipe(recipe, kFamilies);
  EXPECT_EQ(dependency_order(recipe, {"blend"}), (Names{"bias", "mf", "itemcf", "blend"}));
  EXPECT_EQ(dependency_order(recipe, {"itemcf"}), (Names{"bias", "mf", "itemcf"}));
}

TEST(RecipeCase17, SelfReference) {
  const std::string file = case17("recipe-bad-self.yaml").string();
  EXPECT_TRUE(contains(error_of_file(file),
                       file + ":16: alpha 'mf' cannot be a residual of itself"));
}

TEST(RecipeCase17, ThreeCycle) {
  const std::string file = case17("recipe-bad-cycle3.yaml").string();
  EXPECT_TRUE(contains(error_of_file(file), file + ": dependency cycle: bias (line 13) -> itemcf "
                                                   "(line 21) -> mf (line 17) -> bias"));
}

TEST(RecipeCase17, MissingReference) {
  const std::string file = case17("recipe-bad-missing-ref.yaml").string();
  EXPECT_TRUE(contains(error_of_file(file), file + ":20: alpha 'itemcf' has input 'svdpp', which "
                                                   "is not defined (defined: bias, mf, itemcf)"));
}

TEST(RecipeCase17, EnsembleListsItself) {
  const std::string file = case17("recipe-bad-blend-self.yaml").string();
  EXPECT_TRUE(contains(error_of_file(file), file + ":24: ensemble 'blend' lists itself"));
}

// --- The shipped recipes -------------------------------------------------

fs::path config(const std::string& file) {
  return fs::path(ALPHAS_TEST_DATA_DIR) / ".." / ".." / "configs" / file;
}

TEST(RecipeReference, DefinesTheDesignChain) {
  Recipe recipe = read_recipe(config("reference.yaml"));
  validate_recipe(recipe, kFamilies);
  const Names thirteen = {"UserItemBiases",
                          "GNN.1",
                          "MatrixFactorization.10",
                          "MatrixFactorization.20",
                          "MatrixFactorization.40",
                          "ItemCF.16",
                          "ItemCF.64",
                          "ItemCF.256",
                          "ItemCF.1024",
                          "ItemCF.4096",
                          "ItemCF.Resid.GNN.1.256",
                          "ItemCF.Resid.ItemCF.1.256",
                          "ItemCF.Resid.MF.1.256"};
  Names all = thirteen;
  all.push_back("GNN.Resid.1");
  EXPECT_EQ(names(recipe), all);
  ASSERT_TRUE(recipe.dataset.bundled.has_value());
  EXPECT_EQ(*recipe.dataset.bundled, "anime-mal-5k");

  const RecipeAlpha* resid = recipe.find_alpha("GNN.Resid.1");
  ASSERT_NE(resid, nullptr);
  EXPECT_EQ(resid->family, "GNN.Resid");
  EXPECT_EQ(resid->inputs, Names{"UserItemBiases"});
  EXPECT_EQ(resid->targets, thirteen);
  EXPECT_EQ(resid->seed, 1u);

  EXPECT_EQ(recipe.find_alpha("ItemCF.Resid.GNN.1.256")->inputs,
            (Names{"UserItemBiases", "GNN.1"}));
  EXPECT_EQ(recipe.find_alpha("ItemCF.Resid.ItemCF.1.256")->inputs,
            (Names{"UserItemBiases", "ItemCF.16", "ItemCF.64", "ItemCF.256", "ItemCF.1024",
                   "ItemCF.4096"}));
  EXPECT_EQ(recipe.find_alpha("ItemCF.Resid.MF.1.256")->inputs,
            (Names{"UserItemBiases", "MatrixFactorization.10", "MatrixFactorization.20",
                   "MatrixFactorization.40"}));
  EXPECT_EQ(recipe.find_alpha("ItemCF.Resid.MF.1.256")->params["K"], 256);
  EXPECT_EQ(recipe.find_alpha("ItemCF.1024")->params["K"], 1024);
  EXPECT_EQ(recipe.find_alpha("MatrixFactorization.40")->params["K"], 40);

  ASSERT_EQ(recipe.ensembles.size(), 1u);
  EXPECT_EQ(recipe.ensembles[0].members, all);

  // GNN.Resid.1 needs every other alpha, and comes last.
  const auto order = dependency_order(recipe, {"GNN.Resid.1"});
  EXPECT_EQ(order.size(), all.size());
  EXPECT_EQ(order.back(), "GNN.Resid.1");
}

TEST(RecipeReference, SmallTestRecipeIsValid) {
  Recipe recipe = read_recipe(config("test-small.yaml"));
  validate_recipe(recipe, kFamilies);
  EXPECT_FALSE(recipe.dataset.bundled.has_value());
  EXPECT_EQ(names(recipe), (Names{"UserItemBiases", "MatrixFactorization.2",
                                  "MatrixFactorization.4", "ItemCF.8"}));
}

}  // namespace
}  // namespace alphas
