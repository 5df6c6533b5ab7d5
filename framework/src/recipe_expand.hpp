// Expansion of an alpha entry whose name has {placeholders} into one alpha
// per combination of the placeholder values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "alphas/recipe.hpp"
#include "recipe_problems.hpp"
#include "recipe_yaml.hpp"

namespace alphas::recipe_detail {

// An alpha entry as written: the name may hold placeholders such as {K}.
struct AlphaTemplate {
  RecipeAlpha alpha;  // name as written; params, seed and references parsed
  std::vector<uint64_t> seeds;  // the `seed:` value, or its list of values
  int seed_line = 0;
  // The YAML node of each parameter, for the text a placeholder inserts.
  std::map<std::string, YAML::Node> param_nodes;
};

// Expands `{name}` placeholders: `{seed}` takes each value of `seed:`, any
// other `{key}` each value of `params.key` (a scalar or a list of scalars).
// With several placeholders the result is every combination, the first
// placeholder varying slowest. Each alpha gets the scalar value it was
// named after. Reports placeholders without a value and a list `seed:`
// without a {seed} placeholder.
std::vector<RecipeAlpha> expand_alpha(const AlphaTemplate& entry, Problems& problems);

// The maximum length of an alpha or ensemble name. A name becomes a folder
// name, with suffixes such as ".Implicit" or a staging ".<pid>", and Linux
// file systems allow 255 bytes per name.
inline constexpr std::size_t kMaxAlphaNameLength = 200;

// True when `name` is usable as an alpha name and folder name: at most
// kMaxAlphaNameLength bytes, in parts of letters, digits, '_', '-' or '+'
// separated by single dots.
bool is_valid_alpha_name(const std::string& name);

}  // namespace alphas::recipe_detail
