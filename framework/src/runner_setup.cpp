// Set-up of a run before any alpha: the share folder, the recipe, and the
// dataset settings.
#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/import_yaml.hpp"
#include "alphas/log.hpp"
#include "alphas/runner.hpp"

namespace alphas {

namespace {

// A YAML double-quoted scalar holding `text`.
std::string yaml_quoted(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> bundled_names(const std::filesystem::path& share_dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(share_dir / "datasets", error)) {
    if (std::filesystem::exists(entry.path() / "dataset.yaml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::filesystem::path default_share_dir() {
  std::error_code error;
  const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return std::filesystem::path("share") / "alphas";
  return (binary.parent_path() / ".." / "share" / "alphas").lexically_normal();
}

std::filesystem::path choose_recipe_file(const DataDir& dir,
                                         const std::optional<std::filesystem::path>& explicit_file,
                                         const std::filesystem::path& share_dir) {
  if (explicit_file) return *explicit_file;
  if (std::filesystem::exists(dir.recipe_file())) return dir.recipe_file();
  const auto reference = share_dir / "configs" / "reference.yaml";
  if (!std::filesystem::exists(reference)) {
    throw InputError("no recipe: the data directory " + dir.root().string() +
                     " records none and the reference recipe " + reference.string() +
                     " is missing; pass --recipe FILE");
  }
  return reference;
}

std::vector<std::string> host_families(const PluginHost& host) {
  std::vector<std::string> families;
  for (const auto& plugin : host.plugins()) {
    families.insert(families.end(), plugin.families.begin(), plugin.families.end());
  }
  std::sort(families.begin(), families.end());
  return families;
}

Recipe read_validated_recipe(const std::filesystem::path& file, const PluginHost& host) {
  Recipe recipe = read_recipe(file);
  validate_recipe(recipe, host_families(host));
  return recipe;
}

Recipe read_resolved_recipe(const std::filesystem::path& file) {
  Recipe recipe = read_recipe(file);
  resolve_references(recipe);
  check_cycles(recipe);
  return recipe;
}

void record_recipe(const Recipe& recipe, const DataDir& dir) {
  std::error_code error;
  if (std::filesystem::equivalent(recipe.file, dir.recipe_file(), error)) return;

  // Relative dataset paths resolve from the recipe's folder, so the copy
  // gets an absolute base_dir: a new first key, or the old key's line
  // rewritten when the recipe sets one.
  const std::string base_line = "base_dir: " + yaml_quoted(recipe.base_dir.string());
  std::vector<std::string> lines = split_lines(recipe.text);
  bool replaced = false;
  const YAML::Node root = YAML::Load(recipe.text);
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it->first.Scalar() != "base_dir") continue;
    const YAML::Mark key = it->first.Mark();
    const YAML::Mark value = it->second.Mark();
    if (key.column != 0 || value.line != key.line) {
      throw InputError(recipe.file.string() + ":" + std::to_string(key.line + 1) +
                       ": write 'base_dir: <folder>' on one line at the start of a line, so "
                       "that the recipe can be recorded in the data directory");
    }
    lines[key.line] = base_line;
    replaced = true;
  }
  std::string text = "# Recorded by 'alphas run' from " + std::filesystem::absolute(recipe.file).string() +
                     "\n";
  if (!replaced) text += base_line + "\n";
  for (const auto& line : lines) text += line + "\n";
  std::filesystem::create_directories(dir.root());
  write_text_atomically(dir.recipe_file(), text);
}

ImportOptions dataset_import_options(const Recipe& recipe, const std::filesystem::path& share_dir) {
  const std::string where = recipe.file.string() + ":" + std::to_string(recipe.dataset.line);
  if (recipe.dataset.bundled) {
    const std::string& name = *recipe.dataset.bundled;
    const auto settings = share_dir / "datasets" / name / "dataset.yaml";
    if (!std::filesystem::exists(settings)) {
      std::string available;
      for (const auto& bundled : bundled_names(share_dir)) {
        available += (available.empty() ? "" : ", ") + bundled;
      }
      throw InputError(where + ": bundled dataset '" + name + "' not found (no " +
                       settings.string() + "); bundled datasets: " +
                       (available.empty() ? "none" : available));
    }
    return load_dataset_settings(settings);
  }
  if (!recipe.dataset.present) {
    throw InputError(recipe.file.string() + " has no 'dataset' section; add dataset: {bundled: "
                     "anime-mal-5k} or import settings, or import a dataset first with "
                     "'alphas import'");
  }
  const YAML::Node root = YAML::Load(recipe.text);
  return import_options_from_yaml(root["dataset"], recipe.base_dir, recipe.file.string());
}

}  // namespace alphas
