// YAML recipes: which dataset, which alphas with which inputs and
// parameters, and which ensembles. docs/recipes.md documents every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace alphas {

// One name or pattern as written in an `inputs`, `targets` or ensemble
// `alphas` list. A pattern uses `*` for one dot-separated part of a name
// ("ItemCF.*" matches "ItemCF.16" but not "ItemCF.Resid.GNN.1.256") and
// `**` for any number of parts.
struct AlphaReference {
  std::string text;
  int line = 0;  // 1-based line in the recipe file
};

// One alpha of the recipe after expansion of `{placeholder}` names.
struct RecipeAlpha {
  std::string name;    // e.g. "MatrixFactorization.10"
  std::string family;  // plugin family, e.g. "MatrixFactorization"
  std::vector<AlphaReference> input_refs;   // as written
  std::vector<AlphaReference> target_refs;  // as written
  // Resolved alpha names in recipe order, filled by resolve_references.
  std::vector<std::string> inputs;
  std::vector<std::string> targets;
  nlohmann::json params = nlohmann::json::object();
  std::map<std::string, int> param_lines;  // line of each key under `params:`
  uint64_t seed = 1;
  int line = 0;         // line of the alpha's key
  int family_line = 0;  // line of `family:` (the alpha's line when absent)
};

// Gradient-boosted trees fitted on the residual of the linear blend.
struct StackerSettings {
  bool enabled = true;
  int max_rounds = 500;
  int early_stopping_rounds = 20;
  double learning_rate = 0.05;
  int max_depth = 4;
  double min_child_weight = 20.0;
  double subsample = 0.8;
  double colsample = 1.0;
  double lambda = 1.0;
  double holdout = 0.1;  // fraction of validation held out for early stopping
  uint64_t seed = 1;
};

struct RecipeEnsemble {
  std::string name;
  std::vector<AlphaReference> member_refs;  // as written
  std::vector<std::string> members;         // resolved, in recipe order
  StackerSettings stacker;
  int line = 0;
};

// The `dataset:` section: either a bundled dataset by name or inline import
// settings. The inline settings are read from `Recipe::text` by the runner
// (see import_yaml.hpp), so their errors carry the recipe's line numbers.
struct RecipeDataset {
  bool present = false;                // the recipe has a `dataset:` section
  std::optional<std::string> bundled;  // e.g. "anime-mal-5k"
  int line = 0;
};

struct Recipe {
  std::filesystem::path file;      // as given, used in every message
  std::filesystem::path base_dir;  // absolute; relative dataset paths start here
  std::string text;                // the recipe's YAML source
  RecipeDataset dataset;
  std::vector<RecipeAlpha> alphas;  // definition order, placeholders expanded
  std::vector<RecipeEnsemble> ensembles;

  const RecipeAlpha* find_alpha(const std::string& name) const;
  const RecipeEnsemble* find_ensemble(const std::string& name) const;
};

// Parses recipe YAML: unknown keys, wrong types, bad names, duplicate names
// and placeholder expansion. Throws InputError listing every problem found,
// each as "<file>:<line>: <problem>". `base_dir` resolves a relative
// `base_dir:` key and is the default base directory.
Recipe parse_recipe(const std::string& text, const std::filesystem::path& file,
                    const std::filesystem::path& base_dir);

// Reads and parses a recipe file; relative dataset paths start at its folder.
Recipe read_recipe(const std::filesystem::path& file);

// Resolves every input, target and ensemble member to alpha names. Throws
// InputError for a self-reference, an undefined name, a pattern that matches
// nothing, or an ensemble listing an ensemble.
void resolve_references(Recipe& recipe);

// Throws InputError for each alpha whose family is not in `families`.
void check_families(const Recipe& recipe, const std::vector<std::string>& families);
// The same for the alphas named in `names` only (ensemble names are skipped).
void check_families(const Recipe& recipe, const std::vector<std::string>& families,
                    const std::vector<std::string>& names);

// Throws InputError naming the whole cycle with lines, e.g.
//   "r.yaml: dependency cycle: a (line 13) -> c (line 21) -> b (line 17) -> a".
// The search is iterative and starts from the smallest name, so the message
// does not depend on the order in which alphas are listed.
void check_cycles(const Recipe& recipe);

// Every check above in order: resolve_references, check_cycles,
// check_families. Reads no data and runs nothing.
void validate_recipe(Recipe& recipe, const std::vector<std::string>& families);

// Returns the alpha names matching `pattern` in recipe order (an exact name
// matches itself only).
std::vector<std::string> match_alphas(const Recipe& recipe, const std::string& pattern);

// True when `name` matches the dot-separated pattern with `*` and `**`.
bool pattern_matches(const std::string& pattern, const std::string& name);

// Returns `names` and everything they depend on (inputs, targets and the
// members of ensembles), each after its dependencies. Among alphas that are
// ready together, the one defined first goes first, so the order is
// deterministic. The recipe must be validated.
std::vector<std::string> dependency_order(const Recipe& recipe,
                                          const std::vector<std::string>& names);

// Returns the candidate closest to `name` by edit distance (case-insensitive,
// adjacent transpositions count as one edit) when at most a third of `name`
// differs, else "". Recipe checks use it to suggest a misspelt name.
std::string nearest_spelling(const std::string& name, const std::vector<std::string>& candidates);

// Returns the alphas that depend on `name` directly or transitively, in
// recipe order.
std::vector<std::string> dependents_of(const Recipe& recipe, const std::string& name);

}  // namespace alphas
