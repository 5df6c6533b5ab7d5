// Parsing of recipe YAML into Recipe: keys, types, names and expansion.
#include <map>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/recipe.hpp"
#include "recipe_checks.hpp"
#include "recipe_expand.hpp"
#include "recipe_yaml.hpp"

namespace alphas {

using recipe_detail::AlphaTemplate;
using recipe_detail::MapEntry;
using recipe_detail::Problems;

namespace {

const std::vector<std::string> kTopLevelKeys = {"description", "base_dir", "dataset", "alphas",
                                                "ensembles"};
const std::vector<std::string> kAlphaKeys = {"family", "inputs", "targets", "params", "seed"};
const std::vector<std::string> kEnsembleKeys = {"alphas", "stacker"};
const std::vector<std::string> kStackerKeys = {
    "enabled",   "max_rounds", "early_stopping_rounds", "learning_rate", "max_depth",
    "min_child_weight", "subsample", "colsample", "lambda", "holdout", "seed"};

constexpr int64_t kMaxSeed = INT64_MAX;

// Reads a list of alpha names or patterns; a single string counts as a list
// of one.
std::vector<AlphaReference> read_references(const MapEntry& entry, const std::string& where,
                                            Problems& problems) {
  std::vector<AlphaReference> references;
  auto add = [&](const YAML::Node& node) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      problems.add(recipe_detail::line_of(node) ? recipe_detail::line_of(node) : entry.line,
                   "each entry of '" + entry.key + "' in " + where +
                       " must be an alpha name or pattern, got " + recipe_detail::describe(node));
      return;
    }
    references.push_back({node.Scalar(), recipe_detail::line_of(node)});
  };
  if (entry.value.IsScalar()) {
    add(entry.value);
  } else if (entry.value.IsSequence()) {
    for (const auto& element : entry.value) add(element);
  } else if (!entry.value.IsNull()) {
    problems.add(entry.line, "key '" + entry.key + "' of " + where +
                                 " must be a list of alpha names, got " +
                                 recipe_detail::describe(entry.value));
  }
  return references;
}

// Reads `seed:`, a non-negative integer or a list of them.
std::vector<uint64_t> read_seeds(const MapEntry& entry, const std::string& where,
                                 Problems& problems) {
  std::vector<uint64_t> seeds;
  if (entry.value.IsSequence() && entry.value.size() > 0) {
    for (std::size_t k = 0; k < entry.value.size(); ++k) {
      MapEntry element{entry.key, recipe_detail::line_of(entry.value[k]), entry.value[k]};
      auto seed = recipe_detail::read_int(element, 0, kMaxSeed, where, problems);
      if (!seed) return {};
      seeds.push_back(static_cast<uint64_t>(*seed));
    }
    return seeds;
  }
  auto seed = recipe_detail::read_int(entry, 0, kMaxSeed, where, problems);
  if (seed) seeds.push_back(static_cast<uint64_t>(*seed));
  return seeds;
}

std::optional<AlphaTemplate> parse_alpha(const MapEntry& entry, Problems& problems) {
  AlphaTemplate parsed;
  parsed.alpha.name = entry.key;
  parsed.alpha.line = entry.line;
  parsed.alpha.family_line = entry.line;
  parsed.seeds = {1};
  parsed.seed_line = entry.line;
  const std::string where = "alpha '" + entry.key + "'";

  auto entries = recipe_detail::map_entries(entry.value, where, problems);
  recipe_detail::check_keys(entries, kAlphaKeys, where, problems);
  bool has_family = false;
  for (const auto& field : entries) {
    if (field.key == "family") {
      auto family = recipe_detail::read_string(field, where, problems);
      if (family) parsed.alpha.family = *family;
      parsed.alpha.family_line = field.line;
      has_family = true;
    } else if (field.key == "inputs") {
      parsed.alpha.input_refs = read_references(field, where, problems);
    } else if (field.key == "targets") {
      parsed.alpha.target_refs = read_references(field, where, problems);
    } else if (field.key == "params") {
      if (field.value.IsNull()) continue;  // `params:` with nothing after it
      for (const auto& param : recipe_detail::map_entries(field.value, "params of " + where, problems)) {
        auto value = recipe_detail::to_json(param.value, "params." + param.key + " of " + where, problems);
        if (value) parsed.alpha.params[param.key] = std::move(*value);
        parsed.alpha.param_lines[param.key] = param.line;
        parsed.param_nodes[param.key] = param.value;
      }
    } else if (field.key == "seed") {
      parsed.seeds = read_seeds(field, where, problems);
      parsed.seed_line = field.line;
    }
  }
  if (!has_family && entry.value.IsMap()) {
    problems.add(entry.line, where + " has no 'family'; add family: <plugin family> "
                                     "('alphas plugins' lists the families)");
  }
  if (parsed.seeds.empty()) return std::nullopt;
  return parsed;
}

StackerSettings parse_stacker(const MapEntry& entry, const std::string& ensemble,
                              Problems& problems) {
  StackerSettings stacker;
  const std::string where = "the stacker of ensemble '" + ensemble + "'";
  // `stacker: false` turns it off; `stacker: true` keeps the defaults.
  if (entry.value.IsScalar()) {
    auto enabled = recipe_detail::read_bool(entry, "ensemble '" + ensemble + "'", problems);
    if (enabled) stacker.enabled = *enabled;
    return stacker;
  }
  auto entries = recipe_detail::map_entries(entry.value, where, problems);
  recipe_detail::check_keys(entries, kStackerKeys, where, problems);
  for (const auto& field : entries) {
    auto set_int = [&](int& target, int64_t min, int64_t max) {
      if (auto value = recipe_detail::read_int(field, min, max, where, problems)) {
        target = static_cast<int>(*value);
      }
    };
    auto set_double = [&](double& target, double min, double max, bool exclusive) {
      if (auto value = recipe_detail::read_double(field, min, max, exclusive, where, problems)) {
        target = *value;
      }
    };
    if (field.key == "enabled") {
      if (auto value = recipe_detail::read_bool(field, where, problems)) stacker.enabled = *value;
    } else if (field.key == "max_rounds") {
      set_int(stacker.max_rounds, 1, 100000);
    } else if (field.key == "early_stopping_rounds") {
      set_int(stacker.early_stopping_rounds, 1, 100000);
    } else if (field.key == "learning_rate") {
      set_double(stacker.learning_rate, 0.0, 1.0, true);
    } else if (field.key == "max_depth") {
      set_int(stacker.max_depth, 1, 20);
    } else if (field.key == "min_child_weight") {
      set_double(stacker.min_child_weight, 0.0, 1e12, false);
    } else if (field.key == "subsample") {
      set_double(stacker.subsample, 0.0, 1.0, true);
    } else if (field.key == "colsample") {
      set_double(stacker.colsample, 0.0, 1.0, true);
    } else if (field.key == "lambda") {
      set_double(stacker.lambda, 0.0, 1e12, false);
    } else if (field.key == "holdout") {
      set_double(stacker.holdout, 0.0, 0.5, true);
    } else if (field.key == "seed") {
      if (auto value = recipe_detail::read_int(field, 0, kMaxSeed, where, problems)) {
        stacker.seed = static_cast<uint64_t>(*value);
      }
    }
  }
  return stacker;
}

RecipeEnsemble parse_ensemble(const MapEntry& entry, Problems& problems) {
  RecipeEnsemble ensemble;
  ensemble.name = entry.key;
  ensemble.line = entry.line;
  const std::string where = "ensemble '" + entry.key + "'";
  if (!recipe_detail::is_valid_alpha_name(entry.key)) {
    problems.add(entry.line, "ensemble name '" + entry.key + "' is not valid: use " +
                                 std::to_string(recipe_detail::kMaxAlphaNameLength) +
                                 " or fewer letters, digits, '_', '-' or '+', with single dots "
                                 "between parts");
  }
  auto entries = recipe_detail::map_entries(entry.value, where, problems);
  recipe_detail::check_keys(entries, kEnsembleKeys, where, problems);
  bool has_alphas = false;
  for (const auto& field : entries) {
    if (field.key == "alphas") {
      ensemble.member_refs = read_references(field, where, problems);
      has_alphas = true;
      if (ensemble.member_refs.empty()) {
        problems.add(field.line, where + " blends no alpha; list at least one under 'alphas'");
      }
    } else if (field.key == "stacker") {
      ensemble.stacker = parse_stacker(field, entry.key, problems);
    }
  }
  if (!has_alphas && entry.value.IsMap()) {
    problems.add(entry.line, where + " has no 'alphas' list; add alphas: [<names>]");
  }
  return ensemble;
}

void parse_dataset(const MapEntry& entry, Recipe& recipe, Problems& problems) {
  recipe.dataset.present = true;
  recipe.dataset.line = entry.line;
  if (!entry.value.IsMap()) {
    problems.add(entry.line, "key 'dataset' must be a map: {bundled: <name>} or import "
                             "settings, got " + recipe_detail::describe(entry.value));
    return;
  }
  const YAML::Node& settings = entry.value;  // const: lookups must not insert keys
  if (!settings["bundled"]) return;  // inline import settings, read by the runner
  auto entries = recipe_detail::map_entries(entry.value, "dataset", problems);
  for (const auto& field : entries) {
    if (field.key == "bundled") {
      recipe.dataset.bundled = recipe_detail::read_string(field, "dataset", problems);
    } else {
      problems.add(field.line, "key '" + field.key + "' cannot be combined with 'bundled' in "
                               "dataset; a bundled dataset brings its own import settings");
    }
  }
}

void add_alphas(const MapEntry& entry, Recipe& recipe, Problems& problems) {
  // Every definition of a name, to report duplicates with both lines.
  std::map<std::string, int> first_line;
  for (const auto& alpha_entry : recipe_detail::map_entries(entry.value, "alphas", problems)) {
    auto parsed = parse_alpha(alpha_entry, problems);
    if (!parsed) continue;
    for (auto& alpha : recipe_detail::expand_alpha(*parsed, problems)) {
      auto [it, inserted] = first_line.emplace(alpha.name, alpha.line);
      if (!inserted) {
        problems.add(alpha.line, "alpha '" + alpha.name + "' is defined twice (lines " +
                                     std::to_string(it->second) + " and " +
                                     std::to_string(alpha.line) + "); rename one of them");
        continue;
      }
      recipe.alphas.push_back(std::move(alpha));
    }
  }
  if (recipe.alphas.empty() && problems.empty()) {
    problems.add(entry.line, "the recipe defines no alpha; add at least one under 'alphas'");
  }
}

void add_ensembles(const MapEntry& entry, Recipe& recipe, Problems& problems) {
  for (const auto& ensemble_entry : recipe_detail::map_entries(entry.value, "ensembles", problems)) {
    RecipeEnsemble ensemble = parse_ensemble(ensemble_entry, problems);
    if (const RecipeAlpha* alpha = recipe.find_alpha(ensemble.name)) {
      problems.add(ensemble.line, "ensemble '" + ensemble.name + "' has the name of the alpha "
                                  "defined on line " + std::to_string(alpha->line) +
                                  "; rename one of them");
      continue;
    }
    recipe.ensembles.push_back(std::move(ensemble));
  }
}

}  // namespace

const RecipeAlpha* Recipe::find_alpha(const std::string& name) const {
  for (const auto& alpha : alphas) {
    if (alpha.name == name) return &alpha;
  }
  return nullptr;
}

const RecipeEnsemble* Recipe::find_ensemble(const std::string& name) const {
  for (const auto& ensemble : ensembles) {
    if (ensemble.name == name) return &ensemble;
  }
  return nullptr;
}

namespace recipe_detail {

Recipe parse_recipe(const std::string& text, const std::filesystem::path& file,
                    const std::filesystem::path& base_dir, Problems& problems) {
  Recipe recipe;
  recipe.file = file;
  recipe.text = text;
  recipe.base_dir = std::filesystem::absolute(base_dir).lexically_normal();

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    problems.add(e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg);
    return recipe;
  }
  if (root.IsNull()) {
    problems.add(0, "the recipe is empty; it needs at least an 'alphas' map");
    return recipe;
  }

  auto entries = recipe_detail::map_entries(root, "the recipe", problems);
  recipe_detail::check_keys(entries, kTopLevelKeys, "the recipe", problems);
  bool has_alphas = false;
  for (const auto& entry : entries) {
    if (entry.key == "base_dir") {
      if (auto dir = recipe_detail::read_string(entry, "the recipe", problems)) {
        recipe.base_dir = (recipe.base_dir / *dir).lexically_normal();
      }
    } else if (entry.key == "description") {
      recipe_detail::read_string(entry, "the recipe", problems);
    } else if (entry.key == "dataset") {
      parse_dataset(entry, recipe, problems);
    } else if (entry.key == "alphas") {
      add_alphas(entry, recipe, problems);
      has_alphas = true;
    }
  }
  // Ensembles after alphas, whatever the order of the sections.
  for (const auto& entry : entries) {
    if (entry.key == "ensembles") add_ensembles(entry, recipe, problems);
  }
  if (!has_alphas && root.IsMap()) {
    problems.add(0, "the recipe has no 'alphas' map; add one that defines at least one alpha");
  }
  return recipe;
}

}  // namespace recipe_detail

Recipe parse_recipe(const std::string& text, const std::filesystem::path& file,
                    const std::filesystem::path& base_dir) {
  Problems problems(file.string());
  Recipe recipe = recipe_detail::parse_recipe(text, file, base_dir, problems);
  problems.throw_if_any();
  return recipe;
}

Recipe read_recipe(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) {
    throw InputError("recipe file " + file.string() + " not found; pass an existing YAML file");
  }
  const std::filesystem::path folder = std::filesystem::absolute(file).parent_path();
  return parse_recipe(read_text(file), file, folder);
}

}  // namespace alphas
