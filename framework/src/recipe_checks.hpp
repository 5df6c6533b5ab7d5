// The recipe checks of alphas/recipe.hpp in a form that records problems
// instead of throwing, so that `alphas check` can report every problem of a
// recipe in one pass.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "alphas/recipe.hpp"
#include "recipe_problems.hpp"

namespace alphas::recipe_detail {

// Parses what it can. Invalid YAML or an empty file give a recipe without
// alphas.
Recipe parse_recipe(const std::string& text, const std::filesystem::path& file,
                    const std::filesystem::path& base_dir, Problems& problems);

// Resolves every reference that names alphas; references that do not are
// recorded and left out of the resolved lists.
void resolve_references(Recipe& recipe, Problems& problems);

// Records the first dependency cycle found.
void check_cycles(const Recipe& recipe, Problems& problems);

// Records each alpha of `names` whose family is not in `families`. An alpha
// without a family is skipped, because parsing reported it. Each of
// `unloaded_plugins` (PluginHost::load_problem_notes) is appended to such a
// problem, since a skipped file may be the one that provides the family.
void check_families(const Recipe& recipe, const std::vector<std::string>& families,
                    const std::vector<std::string>& names, Problems& problems,
                    const std::vector<std::string>& unloaded_plugins = {});

}  // namespace alphas::recipe_detail
