// Checks made before anything runs: the configure phase of a recipe's
// alphas, and the whole-recipe check of `alphas check`.
#include <memory>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/import.hpp"
#include "alphas/runner.hpp"
#include "recipe_checks.hpp"
#include "runner_internal.hpp"

namespace alphas {

using recipe_detail::Problems;

namespace runner_detail {

AlphaSpec alpha_spec(const RecipeAlpha& alpha) {
  AlphaSpec spec;
  spec.name = alpha.name;
  spec.family = alpha.family;
  spec.residual_alphas = alpha.inputs;
  spec.target_alphas = alpha.targets;
  spec.params = alpha.params;
  spec.seed = alpha.seed;
  return spec;
}

}  // namespace runner_detail

namespace {

// "<file>:<line>: " for the parameter `key` of `alpha`, or for the alpha's
// own line when the recipe does not set that key.
std::string location(const Recipe& recipe, const RecipeAlpha& alpha, const std::string& key) {
  const auto found = alpha.param_lines.find(key);
  const int line = found != alpha.param_lines.end() ? found->second : alpha.line;
  return recipe.file.string() + ":" + std::to_string(line) + ": ";
}

// Returns "<alpha>: family F has no parameter '<key>'" with the nearest
// known name, or every known name when none is close, and where they are
// documented.
std::string unknown_parameter_message(const RecipeAlpha& alpha, const std::string& key,
                                      const std::vector<std::string>& known,
                                      const std::string& plugin) {
  std::string message = alpha.name + ": family " + alpha.family + " has no parameter '" + key + "'";
  const std::string nearest = recipe_detail::nearest_spelling(key, known);
  if (!nearest.empty()) {
    message += "; did you mean '" + nearest + "'?";
  } else if (known.empty()) {
    message += "; it reads no parameters";
  } else {
    message += "; its parameters are " + recipe_detail::join(known);
  }
  return message + ". Fix or remove it in the recipe's params; plugin " + plugin +
         " documents its parameter table on its page under docs/alphas/, linked from plugins/" +
         plugin + "/README.md";
}

// Configures one alpha and adds what it found to `check`: the problems its
// configure phase recorded and every parameter it never read.
void configure_one(const Recipe& recipe, const PluginHost& host, const RecipeAlpha& alpha,
                   ParameterCheck& check) {
  AlphaParams params(runner_detail::alpha_spec(alpha));
  try {
    std::shared_ptr<Alpha> created = host.create(alpha.family);
    configure_alpha(*created, params);
  } catch (const std::exception& error) {
    // The plugin could not create the alpha, so configure never ran.
    check.problems.push_back(location(recipe, alpha, "") + error.what());
    return;
  }
  for (const ParamProblem& problem : params.problems()) {
    check.problems.push_back(location(recipe, alpha, problem.key) + problem.message);
  }
  const std::string plugin = host.plugin_for(alpha.family).name;
  for (const std::string& key : params.unused()) {
    check.problems.push_back(location(recipe, alpha, key) +
                             unknown_parameter_message(alpha, key, params.known(), plugin));
  }
}

}  // namespace

ParameterCheck check_parameters(const Recipe& recipe, const PluginHost& host,
                                const std::vector<std::string>& names) {
  ParameterCheck check;
  for (const auto& name : names) {
    const RecipeAlpha* alpha = recipe.find_alpha(name);
    if (alpha && host.has_family(alpha->family)) configure_one(recipe, host, *alpha, check);
  }
  return check;
}

void RecipeCheck::throw_if_invalid() const {
  if (problems.empty()) return;
  Problems all(recipe.file.string());
  for (const auto& problem : problems) all.add_message(problem);
  all.throw_if_any();
}

RecipeCheck check_recipe(const std::filesystem::path& file, const PluginHost& host,
                         const std::filesystem::path& share_dir) {
  if (!std::filesystem::is_regular_file(file)) {
    throw InputError("recipe file " + file.string() + " not found; pass an existing YAML file");
  }
  Problems problems(file.string());
  const std::filesystem::path folder = std::filesystem::absolute(file).parent_path();
  Recipe recipe = recipe_detail::parse_recipe(read_text(file), file, folder, problems);

  // Each check below runs on what parsed, so one pass finds every problem.
  recipe_detail::resolve_references(recipe, problems);
  recipe_detail::check_cycles(recipe, problems);
  std::vector<std::string> names;
  for (const auto& alpha : recipe.alphas) names.push_back(alpha.name);
  recipe_detail::check_families(recipe, host_families(host), names, problems,
                                host.load_problem_notes());
  if (recipe.dataset.present) {
    try {
      validate_import_options(dataset_import_options(recipe, share_dir));
    } catch (const InputError& error) {
      problems.add_message(error.what());
    }
  }
  const ParameterCheck parameters = check_parameters(recipe, host, names);
  for (const auto& problem : parameters.problems) problems.add_message(problem);

  RecipeCheck check;
  check.problems = problems.messages();
  check.recipe = std::move(recipe);
  return check;
}

}  // namespace alphas
